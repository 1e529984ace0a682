package io.tenantry.knowledge;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.util.Map;
import java.util.UUID;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RequestPart;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;
import org.springframework.web.multipart.MultipartHttpServletRequest;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.tenantry.api.Always;
import io.tenantry.api.ApiException;
import io.tenantry.api.ApiTags;
import io.tenantry.api.CursorPage;
import io.tenantry.api.Fields;
import io.tenantry.api.PageRequest;
import io.tenantry.api.PatchBody;
import io.tenantry.tenancy.OrgCallContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.Part;

@Tag(name = ApiTags.KNOWLEDGE)
@RestController
@RequestMapping("/api/knowledge")
class KnowledgeController {

    private final KnowledgeService documents;
    private final KnowledgeSearch search;

    KnowledgeController(KnowledgeService documents, KnowledgeSearch search) {
        this.documents = documents;
        this.search = search;
    }

    /** The body of PATCH /documents/{id}, for the API document: the service reads the fields present (PatchBody). */
    @Schema(name = "KnowledgeDocumentChanges", description = "The fields to change; those not given stay. A new "
            + "content makes a new version, cut into new chunks. content_type is accepted too.")
    record Changes(@Schema(maxLength = 300) String title,
            @Schema(maxLength = 1048576, description = "Up to 1 MB in UTF-8.") String content,
            @Schema(allowableValues = {"text/markdown", "text/plain"}) String contentType, java.util.List<String> tags,
            @Schema(maxLength = 2000) String source, Boolean shared) {
    }

    @Schema(name = "KnowledgeIndexRebuild", description = "This node's rebuild of its search index.")
    record Rebuild(@Always @Schema(allowableValues = {"idle", "running", "done", "failed"}) String state,
            @Always long done, @Always long total, java.time.Instant startedAt, java.time.Instant finishedAt) {

        static Rebuild of(IndexFollower.Rebuild rebuild) {
            return new Rebuild(rebuild.state(), rebuild.done(), rebuild.total(), rebuild.startedAt(),
                    rebuild.finishedAt());
        }
    }

    @Operation(operationId = "listKnowledgeDocuments", summary = "List documents",
            description = "The documents of the organizations in the org context, by title; with tag, those that "
                    + "carry it. Shared documents of the default organization are listed apart (/shared).")
    @GetMapping("/documents")
    CursorPage<KnowledgeDocument> list(OrgCallContext context, @RequestParam(required = false) String tag,
            @RequestParam(required = false) Integer limit, @RequestParam(required = false) String cursor) {
        return documents.list(context, tag, PageRequest.of(limit, cursor));
    }

    @Operation(operationId = "listSharedKnowledgeDocuments", summary = "List shared documents",
            description = "The documents the default organization shares with every organization: searchable by "
                    + "every organization's agents, read-only to everyone but owners and admins.")
    @GetMapping("/shared")
    CursorPage<KnowledgeDocument> shared(OrgCallContext context, @RequestParam(required = false) Integer limit,
            @RequestParam(required = false) String cursor) {
        return documents.shared(context, PageRequest.of(limit, cursor));
    }

    @Operation(operationId = "createKnowledgeDocument", summary = "Add a document",
            description = "Adds a document, written in the request, to the org context's organization (the default "
                    + "organization when none is picked); its text is cut into chunks and indexed at once. Only "
                    + "owners and admins may share a document of the default organization.")
    @PostMapping("/documents")
    @ResponseStatus(HttpStatus.CREATED)
    KnowledgeDocument create(OrgCallContext context, @RequestBody(required = false) NewDocument request) {
        return documents.create(context, request);
    }

    @Operation(operationId = "uploadKnowledgeDocument", summary = "Upload a document",
            description = "Adds a file as a document of the org context's organization: plain text (.txt), Markdown "
                    + "(.md), HTML (.html) or PDF (.pdf), at most 10 MB, told by its name and checked by its "
                    + "content. Its text is extracted, cut into chunks and indexed at once. title defaults to the "
                    + "file's name; tags are separated by commas.")
    @PostMapping(path = "/documents/upload", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
    @ResponseStatus(HttpStatus.CREATED)
    KnowledgeDocument upload(OrgCallContext context, @RequestPart(name = "file", required = false) MultipartFile file,
            @RequestParam(required = false) String title, @RequestParam(required = false) String tags,
            @RequestParam(required = false) String source,
            @Parameter(schema = @Schema(type = "boolean")) @RequestParam(required = false) String shared,
            MultipartHttpServletRequest form) throws IOException, ServletException {
        refuseWhatTheFormShouldNotHold(form);
        refuseTextThatIsNotUtf8(form);
        if (file == null) {
            throw ApiException.badRequest("file", "file is required: the document to upload.");
        }
        return documents.upload(context, file.getOriginalFilename(), file.getBytes(), title, tags, source,
                flag(shared));
    }

    /**
     * {@code shared} as a form gives it, text: {@code true} or {@code false} only, as in JSON
     * bodies (the container's conversion would take "on", "yes" and "1", and share a document
     * with every organization by a typo).
     */
    private static boolean flag(String shared) {
        if (shared == null || "false".equals(shared)) {
            return false;
        }
        if ("true".equals(shared)) {
            return true;
        }
        throw ApiException.badRequest("shared", "shared must be true or false.");
    }

    private static final java.util.Set<String> UPLOAD_FIELDS = java.util.Set.of("title", "tags", "source", "shared",
            "orgId");

    /**
     * An upload is read as strictly as a JSON body: a field the server does not know, or one
     * given twice (in the form, or in the form and the query), is refused rather than dropped
     * or joined, and so is a second file.
     */
    private static void refuseWhatTheFormShouldNotHold(MultipartHttpServletRequest form) {
        for (Map.Entry<String, String[]> field : form.getParameterMap().entrySet()) {
            if ("file".equals(field.getKey())) {
                throw ApiException.badRequest("file", "file came as a text field: send the document as a file part "
                        + "(with a filename in its Content-Disposition).");
            }
            if (!UPLOAD_FIELDS.contains(field.getKey())) {
                String name = Fields.shownName(field.getKey());
                throw ApiException.badRequest(name, name + " is not a field of an upload; it takes file, title, tags, "
                        + "source and shared.");
            }
            if (field.getValue().length > 1) {
                throw ApiException.badRequest(field.getKey(), field.getKey() + " is given more than once.");
            }
        }
        for (Map.Entry<String, java.util.List<MultipartFile>> files : form.getMultiFileMap().entrySet()) {
            if (!files.getKey().equals("file")) {
                throw ApiException.badRequest(Fields.shownName(files.getKey()), "Send the document in a part named "
                        + "file.");
            }
            if (files.getValue().size() > 1) {
                throw ApiException.badRequest("file", "Upload one file at a time.");
            }
        }
    }

    /**
     * The container decodes a form's fields and its file's name replacing what is not UTF-8
     * with U+FFFD, and that would be stored as given: a field is read again from its bytes,
     * strictly, and a file name holding U+FFFD (which no one names a file with) is refused.
     */
    private static void refuseTextThatIsNotUtf8(MultipartHttpServletRequest form) throws IOException,
            ServletException {
        for (Part part : form.getParts()) {
            String name = part.getSubmittedFileName();
            if (name != null) {
                if (name.indexOf('\uFFFD') >= 0) {
                    throw ApiException.badRequest("file", "The file's name is not valid UTF-8.");
                }
                continue;
            }
            try (InputStream bytes = part.getInputStream()) {
                UploadedText.strictUtf8(bytes.readAllBytes());
            } catch (CharacterCodingException notUtf8) {
                String field = Fields.shownName(part.getName());
                throw ApiException.badRequest(field, field + " is not valid UTF-8.");
            }
        }
    }

    @Operation(operationId = "getKnowledgeDocument", summary = "Get a document",
            description = "One document with its text, if it is in the org context or shared.")
    @GetMapping("/documents/{id}")
    KnowledgeDocument get(OrgCallContext context, @PathVariable UUID id) {
        return documents.get(context, id);
    }

    @Operation(operationId = "listKnowledgeChunks", summary = "A document's chunks",
            description = "The pieces a document was cut into, in order: what search answers with.")
    @GetMapping("/documents/{id}/chunks")
    CursorPage<KnowledgeChunk> chunks(OrgCallContext context, @PathVariable UUID id,
            @RequestParam(required = false) Integer limit, @RequestParam(required = false) String cursor) {
        return documents.chunks(context, id, PageRequest.of(limit, cursor));
    }

    @Operation(operationId = "updateKnowledgeDocument", summary = "Change a document",
            description = "Changes the fields given; a new text makes a new version, cut into new chunks, and "
                    + "search never answers with the old ones.")
    @PatchMapping("/documents/{id}")
    KnowledgeDocument update(OrgCallContext context, @PathVariable UUID id,
            @io.swagger.v3.oas.annotations.parameters.RequestBody(
                    content = @Content(schema = @Schema(implementation = Changes.class)))
            @RequestBody(required = false) Map<String, Object> patch) {
        return documents.update(context, id, new PatchBody(patch));
    }

    @Operation(operationId = "deleteKnowledgeDocument", summary = "Delete a document",
            description = "Removes the document and its chunks; the audit log keeps what it was.")
    @DeleteMapping("/documents/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void delete(OrgCallContext context, @PathVariable UUID id) {
        documents.delete(context, id);
    }

    @Operation(operationId = "searchKnowledge", summary = "Search the knowledge base",
            description = "The chunks that best answer q (plain text; no search syntax), BM25-ranked, in the org "
                    + "context's organizations, and in shared documents for those outside the default "
                    + "organization; each with a snippet and where the words of q stand in it.")
    @GetMapping("/search")
    CursorPage<SearchHit> search(OrgCallContext context, @RequestParam(required = false) String q,
            @SearchLimit @RequestParam(required = false) Integer limit, @RequestParam(required = false) String tag) {
        return search.search(context, q, limit, tag);
    }

    @Operation(operationId = "rebuildKnowledgeIndex", summary = "Rebuild the search indexes",
            description = "Owners only: every node rebuilds its search index from the database; this node starts "
                    + "at once. Searches answer from the old index until the new one is done.")
    @PostMapping("/reindex")
    @ResponseStatus(HttpStatus.ACCEPTED)
    Rebuild reindex(OrgCallContext context) {
        return Rebuild.of(documents.reindex(context));
    }

    @Operation(operationId = "getKnowledgeIndexRebuild", summary = "The index rebuild's progress",
            description = "Owners and admins: how far this node's latest rebuild of its search index is.")
    @GetMapping("/reindex")
    Rebuild reindexProgress(OrgCallContext context) {
        return Rebuild.of(documents.reindexProgress(context));
    }
}
