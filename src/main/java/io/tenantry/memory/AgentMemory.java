package io.tenantry.memory;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Service;

import io.tenantry.agent.Agent;
import io.tenantry.agent.AgentKeyChanged;
import io.tenantry.agent.AgentPrincipal;
import io.tenantry.agent.AgentMemoryHolder;
import io.tenantry.agent.AgentService;
import io.tenantry.agent.MemoryOnMove;
import io.tenantry.api.ApiException;
import io.tenantry.api.CursorPage;
import io.tenantry.api.Fields;
import io.tenantry.api.Numbers;
import io.tenantry.api.PageRequest;
import io.tenantry.api.PatchBody;
import io.tenantry.api.Tags;
import io.tenantry.audit.AuditLog;
import io.tenantry.tenancy.OrgCallContext;
import io.tenantry.tenancy.OrgScope;
import io.tenantry.tenancy.ScopedTransactions;

/**
 * What each agent remembers. An entry belongs to one agent and lives in the org that holds
 * the agent now, so whoever may see the agent in its org context (with the memory page) sees
 * its memory, and an agent reaches only its own. When the agent moves, its memory moves
 * with it or is cleared ({@link #agentMoved}). Every change is on the org's audit trail,
 * without the text.
 */
@Service
class AgentMemory implements AgentMemoryHolder {

    static final int MAX_CONTENT_BYTES = 16 * 1024;
    static final int MAX_QUERY = 1000;
    static final int MAX_WORDS = 32;
    static final int DEFAULT_IMPORTANCE = 3;
    /** Who wrote an entry, as the org an agent moved to sees it when someone of its earlier org did. */
    static final String EARLIER_AUTHOR = "someone of an earlier organization";

    private static final Set<String> PATCHABLE = Set.of("category", "title", "content", "importance", "tags",
            "expiresAt");
    private static final Map<String, String> ALIASES = Map.of("expires_at", "expiresAt");
    private static final Map<String, String> REFUSED = refusals();

    private static Map<String, String> refusals() {
        Map<String, String> refused = new java.util.HashMap<>(PatchBody.readOnly("id", "orgId", "createdBy",
                "updatedBy", "createdAt", "updatedAt"));
        refused.put("agentId", "An entry stays with the agent that holds it.");
        return Map.copyOf(refused);
    }

    private final MemoryRepository memory;
    private final AgentService agents;
    private final ScopedTransactions transactions;
    private final AuditLog audit;
    private final int maxEntries;

    AgentMemory(MemoryRepository memory, AgentService agents, ScopedTransactions transactions, AuditLog audit,
            @Value("${tenantry.memory.max-entries-per-agent}") int maxEntries) {
        this.memory = memory;
        this.agents = agents;
        this.transactions = transactions;
        this.audit = audit;
        this.maxEntries = maxEntries;
    }

    /** The agent's live entries, filtered as asked; {@code q} is plain words that must all appear. */
    CursorPage<MemoryEntry> list(OrgCallContext context, UUID agentId, String category, String tag, String q,
            PageRequest page) {
        MemoryRepository.Filter filter = new MemoryRepository.Filter(MemoryCategory.parse("category", category),
                Tags.optional(tag), words(q));
        OrgScope scope = context.scope();
        return transactions.read(scope, () -> {
            agent(context, agentId);
            CursorPage<MemoryEntry> found = memory.list(scope, agentId, filter, context.at(), page);
            if (found.items().isEmpty()) {
                // Its entries may have moved with the agent since it was found here.
                agent(context, agentId);
            }
            return found;
        });
    }

    MemoryEntry get(OrgCallContext context, UUID agentId, UUID id) {
        OrgScope scope = context.scope();
        return transactions.read(scope, () -> {
            agent(context, agentId);
            return memory.find(scope, agentId, id, context.at()).orElseThrow(() -> entryGone(context, agentId));
        });
    }

    MemoryEntry create(OrgCallContext context, UUID agentId, NewMemoryEntry request) {
        if (request == null) {
            throw ApiException.badRequest(null, "The request body is missing or is not valid JSON.");
        }
        MemoryCategory category = MemoryCategory.required("category", request.category());
        String title = Fields.required("title", request.title(), 200);
        String content = content(request.content());
        int importance = request.importance() == null ? DEFAULT_IMPORTANCE : importance(request.importance());
        List<String> tags = Tags.of(request.tags(), "A memory entry");
        Instant expiresAt = expiresAt(context, request.expiresAt());
        OrgScope scope = context.scope();
        return transactions.write(scope, () -> {
            // The agent's row, locked, holds the count still and the agent in its org until this commits.
            Agent agent = agents.lockWithin(scope, agentId).orElseThrow(() -> agentGone(context, agentId));
            if (memory.countLive(scope, agentId, context.at()) >= maxEntries) {
                throw ApiException.conflict("The agent '" + agent.name() + "' holds " + maxEntries + " memory "
                        + "entries, the most an agent may hold: delete some, or let them expire, first.");
            }
            MemoryEntry entry = new MemoryEntry(UUID.randomUUID(), agentId, agent.clientOrgId(), category.name(), title,
                    content, importance, tags, expiresAt, context.actor().label(), context.actor().label(),
                    context.at(), context.at());
            memory.insert(scope, entry, bytes(content));
            audit.record(context, entry.orgId(), "memory.entry.created", "memory_entry", entry.id(), null,
                    entry.auditState());
            return entry;
        });
    }

    MemoryEntry update(OrgCallContext context, UUID agentId, UUID id, PatchBody body) {
        PatchBody patch = body.aliased(ALIASES);
        patch.allowOnly(PATCHABLE, REFUSED);
        OrgScope scope = context.scope();
        return transactions.write(scope, () -> {
            agent(context, agentId);
            MemoryEntry before = memory.lock(scope, agentId, id, context.at())
                    .orElseThrow(() -> entryGone(context, agentId));
            String category = patch.has("category")
                    ? MemoryCategory.required("category", patch.text("category")).name() : before.category();
            String title = patch.has("title") ? Fields.required("title", patch.text("title"), 200) : before.title();
            String content = patch.has("content") ? content(patch.text("content")) : before.content();
            int importance = patch.has("importance") ? importance(patch.number("importance")) : before.importance();
            List<String> tags = patch.has("tags") ? Tags.of(patch.fields().get("tags"), "A memory entry")
                    : before.tags();
            Instant expiresAt = patch.has("expiresAt") ? expiresAt(context, patch.text("expiresAt"))
                    : before.expiresAt();
            MemoryEntry after = before.changed(category, title, content, importance, tags, expiresAt,
                    context.actor().label(), context.at());
            if (after.sameContentAs(before)) {
                return before;
            }
            memory.update(scope, after, bytes(content));
            audit.record(context, before.orgId(), "memory.entry.updated", "memory_entry", id, before.auditState(),
                    after.auditState());
            return after;
        });
    }

    void delete(OrgCallContext context, UUID agentId, UUID id) {
        OrgScope scope = context.scope();
        transactions.write(scope, () -> {
            agent(context, agentId);
            MemoryEntry before = memory.lock(scope, agentId, id, context.at())
                    .orElseThrow(() -> entryGone(context, agentId));
            memory.delete(scope, agentId, id);
            audit.record(context, before.orgId(), "memory.entry.deleted", "memory_entry", id, before.auditState(),
                    null);
        });
    }

    /**
     * What expired is deleted first: it goes nowhere and counts for nothing. Entries that move
     * no longer name who wrote them in the earlier org (its people are not the new org's to
     * know), unless the agent wrote them itself.
     */
    @Override
    public int agentMoved(OrgScope reach, Agent agent, UUID to, MemoryOnMove choice, Instant at) {
        memory.deleteExpired(reach, agent.id(), at);
        if (choice == MemoryOnMove.clear) {
            return memory.deleteAll(reach, agent.id());
        }
        return memory.moveAll(reach, agent.id(), to, agent.name(), EARLIER_AUTHOR);
    }

    /** Deletes what expired by {@code now}, everywhere; answers how many. */
    int purgeExpired(Instant now) {
        OrgScope everywhere = OrgScope.allOrgs();
        return transactions.write(everywhere, () -> memory.purgeExpired(everywhere, now));
    }

    private Agent agent(OrgCallContext context, UUID agentId) {
        return agents.findWithin(context.scope(), agentId).orElseThrow(() -> agentGone(context, agentId));
    }

    /**
     * An entry not found where its agent was: not found, unless the agent left since it was
     * found here (a move commits between the two reads, taking its entries along).
     */
    private RuntimeException entryGone(OrgCallContext context, UUID agentId) {
        return agents.findWithin(context.scope(), agentId).isPresent() ? notFound() : agentGone(context, agentId);
    }

    /**
     * An agent not in the caller's scope: not found, unless the agent asks for itself, when it
     * moved (or was deleted) since its key was read, and its request is decided again as it is
     * now (RecentAgentKeys.actAs) rather than told that it does not exist.
     */
    private static RuntimeException agentGone(OrgCallContext context, UUID agentId) {
        return context.caller() instanceof AgentPrincipal self && self.agentId().equals(agentId)
                ? new AgentKeyChanged(self) : agentNotFound();
    }

    /** The words of a search, in lower case, each once; none for no search. */
    static List<String> words(String q) {
        String text = Fields.optional("q", q, MAX_QUERY);
        if (text == null) {
            return List.of();
        }
        List<String> words = new ArrayList<>();
        for (String word : text.toLowerCase(Locale.ROOT).split("\\s+")) {
            if (!word.isEmpty() && !words.contains(word)) {
                words.add(word);
            }
        }
        if (words.size() > MAX_WORDS) {
            throw ApiException.badRequest("q", "q may have at most " + MAX_WORDS + " words.");
        }
        return List.copyOf(words);
    }

    private static String content(String value) {
        String content = Fields.optional("content", value, MAX_CONTENT_BYTES);
        if (content == null) {
            throw ApiException.badRequest("content", "content is required: what the agent remembers.");
        }
        if (bytes(content) > MAX_CONTENT_BYTES) {
            throw ApiException.badRequest("content", "content must be at most 16 KB (16,384 bytes in UTF-8).");
        }
        return content;
    }

    private static int bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8).length;
    }

    private static int importance(Object value) {
        if (value == null) {
            throw ApiException.badRequest("importance", "importance must be a whole number from 1 to 5.");
        }
        return (int) Numbers.wholeNumber("importance", value, 1, 5);
    }

    private static Instant expiresAt(OrgCallContext context, String value) {
        return Fields.expiry("expiresAt", value, context.at(), "expiresAt must be in the future; delete an entry to "
                + "forget it now.");
    }

    static ApiException notFound() {
        return ApiException.notFound("The memory entry");
    }

    static ApiException agentNotFound() {
        return ApiException.notFound("The agent");
    }
}
