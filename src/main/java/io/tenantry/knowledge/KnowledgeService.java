package io.tenantry.knowledge;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;

import io.tenantry.api.ApiException;
import io.tenantry.api.CursorPage;
import io.tenantry.api.Fields;
import io.tenantry.api.PageRequest;
import io.tenantry.api.PatchBody;
import io.tenantry.api.Tags;
import io.tenantry.audit.AuditLog;
import io.tenantry.organization.OrganizationService;
import io.tenantry.tenancy.DefaultOrg;
import io.tenantry.tenancy.OrgCallContext;
import io.tenantry.tenancy.OrgScope;
import io.tenantry.tenancy.ScopedTransactions;

/**
 * Each org's knowledge base. Anyone with the knowledge page keeps the documents of the orgs
 * in their scope; a document stays in the org it was made in. Shared documents belong to the
 * default organization, are read-only to everyone else, and only owners and admins share,
 * unshare or change them, since what they say reaches every org's agents.
 */
@Service
class KnowledgeService {

    static final int MAX_PER_ORG = 10_000;
    static final int MAX_CONTENT_BYTES = 1024 * 1024;
    static final Set<String> WRITTEN_TYPES = Set.of("text/markdown", "text/plain");

    private static final Set<String> PATCHABLE = Set.of("title", "content", "contentType", "tags", "source",
            "shared");
    private static final Map<String, String> ALIASES = Map.of("content_type", "contentType");
    private static final Map<String, String> REFUSED = PatchBody.readOnly("id", "orgId", "version", "createdAt",
            "updatedAt", "createdBy", "chunkCount", "sizeBytes", "fileName", "editable");

    private final KnowledgeRepository knowledge;
    private final OrganizationService organizations;
    private final ScopedTransactions transactions;
    private final AuditLog audit;
    private final IndexFollower follower;
    private final DocumentsInProgress inProgress;

    KnowledgeService(KnowledgeRepository knowledge, OrganizationService organizations,
            ScopedTransactions transactions, AuditLog audit, IndexFollower follower, DocumentsInProgress inProgress) {
        this.inProgress = inProgress;
        this.knowledge = knowledge;
        this.organizations = organizations;
        this.transactions = transactions;
        this.audit = audit;
        this.follower = follower;
    }

    CursorPage<KnowledgeDocument> list(OrgCallContext context, String tag, PageRequest page) {
        String wanted = Tags.optional(tag);
        CursorPage<KnowledgeDocument> found = transactions.read(context.scope(),
                () -> knowledge.list(context.scope(), false, wanted, page));
        return found.map(d -> seenBy(context, d));
    }

    /** The documents the default organization shares, read in its scope: what every org may read. */
    CursorPage<KnowledgeDocument> shared(OrgCallContext context, PageRequest page) {
        OrgScope defaultOrg = OrgScope.of(DefaultOrg.ID);
        CursorPage<KnowledgeDocument> found = transactions.read(defaultOrg,
                () -> knowledge.list(defaultOrg, true, null, page));
        return found.map(d -> seenBy(context, d));
    }

    private static KnowledgeDocument seenBy(OrgCallContext context, KnowledgeDocument document) {
        return context.scope().includes(document.orgId()) ? document.editableBy(mayEdit(context, document))
                : document.seenFromAnotherOrg();
    }

    /** A document in scope, or a shared one (read-only to those outside the default org). */
    KnowledgeDocument get(OrgCallContext context, UUID id) {
        return readable(context, id);
    }

    CursorPage<KnowledgeChunk> chunks(OrgCallContext context, UUID id, PageRequest page) {
        KnowledgeDocument document = readable(context, id);
        OrgScope scope = OrgScope.of(document.orgId() == null ? DefaultOrg.ID : document.orgId());
        return transactions.read(scope, () -> knowledge.chunks(scope, id, page));
    }

    private KnowledgeDocument readable(OrgCallContext context, UUID id) {
        OrgScope scope = context.scope();
        KnowledgeDocument own = transactions.read(scope, () -> knowledge.find(scope, id)).orElse(null);
        if (own != null) {
            return seenBy(context, own);
        }
        return sharedDocument(id).map(d -> seenBy(context, d)).orElseThrow(KnowledgeService::notFound);
    }

    /** Document {@code id} when the default organization shares it with every organization. */
    private Optional<KnowledgeDocument> sharedDocument(UUID id) {
        OrgScope defaultOrg = OrgScope.of(DefaultOrg.ID);
        return transactions.read(defaultOrg, () -> knowledge.find(defaultOrg, id)).filter(KnowledgeDocument::shared);
    }

    private static boolean mayEdit(OrgCallContext context, KnowledgeDocument document) {
        return context.scope().includes(document.orgId()) && (!document.shared() || context.caller().operator());
    }

    KnowledgeDocument create(OrgCallContext context, NewDocument request) {
        if (request == null) {
            throw ApiException.badRequest(null, "The request body is missing or is not valid JSON.");
        }
        String type = request.contentType() == null ? "text/markdown" : request.contentType();
        if (!WRITTEN_TYPES.contains(type)) {
            throw ApiException.badRequest("contentType", "contentType must be text/markdown or text/plain; upload "
                    + "HTML and PDF files as files.");
        }
        String content = content(request.content());
        try (DocumentsInProgress.Turn turn = inProgress.take(addedTo(context))) {
            return add(context, new Draft(Fields.required("title", request.title(), 300), content, type, null,
                    content.getBytes(StandardCharsets.UTF_8).length, Tags.of(request.tags(), "A document"),
                    Fields.optionalLine("source", request.source(), 2000), Boolean.TRUE.equals(request.shared())));
        }
    }

    /** An uploaded file as a document: its text extracted (UploadedText), the rest as for a written one. */
    KnowledgeDocument upload(OrgCallContext context, String fileName, byte[] bytes, String title, String tags,
            String source, boolean shared) {
        String name = Fields.optional("file", baseName(fileName), 255);
        try (DocumentsInProgress.Turn turn = inProgress.take(addedTo(context))) {
            UploadedText.Extracted extracted = UploadedText.of(name, bytes);
            String titled = title == null || title.isBlank() ? Fields.required("title", name, 300)
                    : Fields.required("title", title, 300);
            List<String> tagList = tags == null || tags.isBlank() ? List.of()
                    : Tags.of(java.util.Arrays.stream(tags.split(",")).map(String::strip).filter(t -> !t.isEmpty())
                            .map(t -> (Object) t).toList(), "A document");
            return add(context, new Draft(titled, extracted.text(), extracted.contentType(), name, bytes.length,
                    tagList, Fields.optionalLine("source", source, 2000), shared));
        }
    }

    /**
     * A file's name without the folders a client may send with it ({@code C:\docs\a.pdf},
     * {@code ../a.txt}): it names a document, and must never read as a place to anyone who
     * saves the file by it (outside tester).
     */
    static String baseName(String fileName) {
        if (fileName == null) {
            return null;
        }
        return fileName.substring(Math.max(fileName.lastIndexOf('/'), fileName.lastIndexOf('\\')) + 1);
    }

    /** A document about to be added: what the request or the upload gave, checked. */
    record Draft(String title, String content, String contentType, String fileName, long sizeBytes,
            List<String> tags, String source, boolean shared) {
    }

    /** The organization a new document goes to: the org context's, or the default organization. */
    private static UUID addedTo(OrgCallContext context) {
        UUID orgId = context.selected().orElse(DefaultOrg.ID);
        if (!context.scope().includes(orgId)) {
            throw ApiException.forbidden("Pick one of your organizations as the org context to add a document to.");
        }
        return orgId;
    }

    KnowledgeDocument add(OrgCallContext context, Draft draft) {
        UUID orgId = addedTo(context);
        OrgScope scope = context.scope();
        if (draft.shared()) {
            requireSharable(context, orgId);
        }
        List<Chunker.Chunk> chunks = Chunker.chunks(draft.content());
        Changed created = transactions.write(scope, () -> {
            organizations.lock(scope, orgId).orElseThrow(() -> ApiException.notFound("The organization"));
            if (knowledge.countIn(scope, orgId) >= MAX_PER_ORG) {
                throw ApiException.conflict("This organization has " + MAX_PER_ORG + " documents, the most it may "
                        + "have: delete some first.");
            }
            UUID id = UUID.randomUUID();
            KnowledgeDocument document = new KnowledgeDocument(id, orgId, draft.title(), draft.source(), draft.tags(),
                    draft.shared(), true, draft.contentType(), draft.fileName(), draft.sizeBytes(), chunks.size(), 1,
                    context.actor().label(), context.at(), context.at(), draft.content());
            knowledge.insert(scope, document, draft.content(), chunks);
            audit.record(context, orgId, "knowledge.document.created", "knowledge_document", id, null,
                    document.auditState());
            return new Changed(document, knowledge.logChange(scope, orgId, id, context.at()));
        });
        follower.indexNow(orgId, created.document().id(), created.change());
        return created.document();
    }

    /** A document as a write left it, and the number of its change in the log (0 for none). */
    private record Changed(KnowledgeDocument document, long change) {
    }

    KnowledgeDocument update(OrgCallContext context, UUID id, PatchBody body) {
        PatchBody patch = body.aliased(ALIASES);
        patch.allowOnly(PATCHABLE, REFUSED);
        OrgScope scope = context.scope();
        Changed after;
        // New content is cut and indexed again, which costs what adding it does: it takes a turn.
        UUID orgId = patch.has("content") ? transactions.read(scope, () -> knowledge.find(scope, id))
                .map(KnowledgeDocument::orgId).orElse(null) : null;
        try (DocumentsInProgress.Turn turn = orgId == null ? DocumentsInProgress.NO_TURN : inProgress.take(orgId)) {
            after = transactions.write(scope, () -> updated(context, id, patch));
        } catch (ApiException refused) {
            throw readOnlyIfShared(context, id, refused, "change");
        }
        if (after.change() > 0) {
            follower.indexNow(after.document().orgId(), id, after.change());
        }
        return seenBy(context, after.document());
    }

    /**
     * A document the caller's scope does not hold, though they may read it as shared: read-only
     * to them (403) rather than missing; {@code refused} otherwise.
     */
    private ApiException readOnlyIfShared(OrgCallContext context, UUID id, ApiException refused, String verb) {
        if (refused.status() != HttpStatus.NOT_FOUND || context.scope().includes(DefaultOrg.ID)) {
            return refused;
        }
        return sharedDocument(id).isPresent() ? ApiException.forbidden("Shared documents are read-only outside "
                + "the default organization: only its people " + verb + " them.") : refused;
    }

    /** The update of document {@code id}, in the write's transaction. */
    private Changed updated(OrgCallContext context, UUID id, PatchBody patch) {
        OrgScope scope = context.scope();
        KnowledgeDocument before = knowledge.lock(scope, id).orElseThrow(KnowledgeService::notFound);
        if (before.shared()) {
            context.requireOperator("change a document shared with every organization");
        }
        String title = patch.has("title") ? Fields.required("title", patch.text("title"), 300) : before.title();
        String content = patch.has("content") ? content(patch.text("content")) : before.content();
        String type = before.contentType();
        if (patch.has("contentType")) {
            type = patch.text("contentType");
            if (type == null || !WRITTEN_TYPES.contains(type) && !type.equals(before.contentType())) {
                throw ApiException.badRequest("contentType", "contentType must be text/markdown or text/plain.");
            }
        }
        if (patch.has("content") && !WRITTEN_TYPES.contains(type)) {
            type = "text/plain";
        }
        List<String> tags = patch.has("tags") ? Tags.of(patch.fields().get("tags"), "A document")
                : before.tags();
        String source = patch.has("source") ? Fields.optionalLine("source", patch.text("source"), 2000)
                : before.source();
        boolean shared = before.shared();
        if (patch.has("shared")) {
            shared = Fields.flag("shared", patch.fields().get("shared"));
            if (shared != before.shared()) {
                requireSharable(context, before.orgId());
            }
        }
        boolean newText = !content.equals(before.content());
        List<Chunker.Chunk> chunks = newText ? Chunker.chunks(content) : null;
        long size = newText ? content.getBytes(StandardCharsets.UTF_8).length : before.sizeBytes();
        KnowledgeDocument changed = new KnowledgeDocument(id, before.orgId(), title, source, tags, shared, true,
                type, newText ? null : before.fileName(), size, newText ? chunks.size() : before.chunkCount(),
                newText ? before.version() + 1 : before.version(), before.createdBy(), before.createdAt(),
                before.updatedAt(), content);
        if (changed.equals(before.editableBy(true))) {
            return new Changed(before.editableBy(true), 0);
        }
        KnowledgeDocument stamped = changed.changedAt(context.at());
        knowledge.update(scope, stamped, content, chunks);
        audit.record(context, before.orgId(), "knowledge.document.updated", "knowledge_document", id,
                before.auditState(), stamped.auditState());
        return new Changed(stamped, knowledge.logChange(scope, before.orgId(), id, context.at()));
    }

    void delete(OrgCallContext context, UUID id) {
        OrgScope scope = context.scope();
        Changed gone;
        try {
            gone = transactions.write(scope, () -> {
                KnowledgeDocument before = knowledge.lock(scope, id).orElseThrow(KnowledgeService::notFound);
                if (before.shared()) {
                    context.requireOperator("delete a document shared with every organization");
                }
                knowledge.delete(scope, id);
                audit.record(context, before.orgId(), "knowledge.document.deleted", "knowledge_document", id,
                        before.auditState(), null);
                return new Changed(before, knowledge.logChange(scope, before.orgId(), id, context.at()));
            });
        } catch (ApiException refused) {
            throw readOnlyIfShared(context, id, refused, "delete");
        }
        follower.indexNow(gone.document().orgId(), id, gone.change());
    }

    /** Asks every node to rebuild its index from the database: owners only, since it costs every node. */
    IndexFollower.Rebuild reindex(OrgCallContext context) {
        if (!context.caller().owner()) {
            throw ApiException.forbidden("Only owners may rebuild the knowledge search index.");
        }
        if ("running".equals(follower.rebuild().state())) {
            throw ApiException.conflict("A rebuild of the search index is running; follow it at GET "
                    + "/api/knowledge/reindex.");
        }
        OrgCallContext inReach = context.within(context.reach());
        UUID epoch = UUID.randomUUID();
        transactions.write(inReach.scope(), () -> {
            knowledge.setEpoch(epoch);
            audit.recordPlatform(inReach, "knowledge.index.rebuild_requested", "knowledge_index", epoch, null, null);
        });
        follower.rebuildNow(epoch);
        return follower.rebuild();
    }

    IndexFollower.Rebuild reindexProgress(OrgCallContext context) {
        context.requireOperator("see the knowledge index's rebuild");
        return follower.rebuild();
    }

    private static void requireSharable(OrgCallContext context, UUID orgId) {
        if (!DefaultOrg.ID.equals(orgId)) {
            throw ApiException.badRequest("shared", "Only documents of the default organization can be shared with "
                    + "every organization.");
        }
        context.requireOperator("share a document with every organization");
    }

    static String content(String value) {
        String content = Fields.optional("content", value, MAX_CONTENT_BYTES);
        if (content == null) {
            throw ApiException.badRequest("content", "content is required: the document's text.");
        }
        if (content.getBytes(StandardCharsets.UTF_8).length > MAX_CONTENT_BYTES) {
            throw ApiException.badRequest("content", "content must be at most 1 MB (1,048,576 bytes in UTF-8); "
                    + "upload longer documents as files.");
        }
        return content;
    }

    static ApiException notFound() {
        return ApiException.notFound("The document");
    }
}
