package io.tenantry.knowledge;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.springframework.stereotype.Service;

import io.tenantry.api.ApiException;
import io.tenantry.api.CursorPage;
import io.tenantry.api.Fields;
import io.tenantry.api.Tags;
import io.tenantry.tenancy.DefaultOrg;
import io.tenantry.tenancy.OrgCallContext;
import io.tenantry.tenancy.OrgScope;

/**
 * Search in a scope. The query is plain text: its words, as the index's analyzer reads
 * them, are searched for, so no syntax in it means anything. The index proposes chunks; what
 * is answered is read back from the database in the caller's scope (under row-level security
 * on PostgreSQL), and shared chunks in the default organization's scope, shared ones only:
 * an index entry that is stale, mis-filed or another org's cannot put text into an answer.
 */
@Service
class KnowledgeSearch {

    static final int LONGEST_QUERY = 1_000;
    static final int DEFAULT_LIMIT = 10;
    static final int MOST_RESULTS = 50;
    static final int SNIPPET = 240;
    /** Candidates read back beyond those still wanted, for entries gone since they were indexed. */
    static final int SPARE = 2;

    private final KnowledgeIndex index;
    private final KnowledgeRepository knowledge;

    KnowledgeSearch(KnowledgeIndex index, KnowledgeRepository knowledge) {
        this.index = index;
        this.knowledge = knowledge;
    }

    /**
     * A search by a person: the orgs of their context, and shared documents too when the
     * default organization is not among them (they read those anyway).
     */
    CursorPage<SearchHit> search(OrgCallContext context, String q, Integer limit, String tag) {
        OrgScope scope = context.scope();
        return search(scope, !scope.includes(DefaultOrg.ID), q, limit, tag);
    }

    CursorPage<SearchHit> search(OrgScope scope, boolean withShared, String q, Integer limit, String tag) {
        String query = Fields.required("q", q, LONGEST_QUERY);
        int count = limit == null ? DEFAULT_LIMIT : limit;
        if (count < 1 || count > MOST_RESULTS) {
            throw ApiException.badRequest("limit", "limit must be between 1 and " + MOST_RESULTS + ".");
        }
        String wanted = Tags.optional(tag);
        List<String> terms = index.terms(query);
        if (terms.isEmpty()) {
            throw ApiException.badRequest("q", "The query has no words to search for (only punctuation, or only "
                    + "words as common as \"the\").");
        }
        // More candidates than asked for: some may be gone or moved since they were indexed.
        List<KnowledgeIndex.Candidate> candidates = index.search(terms, scope.isAllOrgs() ? null : scope.orgIds(),
                withShared, wanted, Math.min(4 * count, 200));
        // Read back in rank order, as many as are still wanted and a few more at a time: every
        // candidate is usually still in the scope, and one round trip then reads no chunk that
        // is not answered (each costs the database a page). At least once, even with no
        // candidate: that round trip also confirms a kept principal, and a search answers no
        // one whose session or key has ended.
        List<SearchHit> hits = new ArrayList<>();
        int from = 0;
        do {
            int to = Math.min(candidates.size(), from + count - hits.size() + SPARE);
            List<KnowledgeIndex.Candidate> batch = candidates.subList(from, to);
            Map<UUID, KnowledgeRepository.Found> found = readBack(scope, withShared, batch, wanted);
            for (KnowledgeIndex.Candidate candidate : batch) {
                KnowledgeRepository.Found chunk = found.get(candidate.chunkId());
                if (chunk != null && hits.size() < count) {
                    hits.add(hit(chunk, candidate, terms));
                }
            }
            from = to;
        } while (from < candidates.size() && hits.size() < count);
        return new CursorPage<>(hits, null);
    }

    /** The candidates' chunks readable in {@code scope}, and shared ones of the default org when asked. */
    private Map<UUID, KnowledgeRepository.Found> readBack(OrgScope scope, boolean withShared,
            List<KnowledgeIndex.Candidate> candidates, String wanted) {
        List<UUID> ids = candidates.stream().map(KnowledgeIndex.Candidate::chunkId).toList();
        Map<UUID, KnowledgeRepository.Found> found = new HashMap<>();
        knowledge.readBack(scope, ids, false, wanted).forEach(f -> found.put(f.chunkId(), f));
        List<UUID> rest = withShared ? ids.stream().filter(id -> !found.containsKey(id)).toList() : List.of();
        if (!rest.isEmpty()) {
            knowledge.readBack(OrgScope.of(DefaultOrg.ID), rest, true, wanted).forEach(f -> found.put(f.chunkId(), f));
        }
        return found;
    }

    private SearchHit hit(KnowledgeRepository.Found chunk, KnowledgeIndex.Candidate candidate, List<String> terms) {
        String text = chunk.content();
        List<int[]> at = fitsText(candidate.words(), text) ? candidate.words() : index.occurrences(text, terms);
        int start = snippetStart(text, at);
        int end = Math.min(text.length(), start + SNIPPET);
        if (end < text.length()) {
            int space = text.lastIndexOf(' ', end);
            end = space > start + SNIPPET / 2 ? space : end;
            end = Character.isLowSurrogate(text.charAt(end)) ? end - 1 : end;
        }
        List<SearchHit.Highlight> highlights = new ArrayList<>();
        for (int[] word : at) {
            if (word[0] >= start && word[1] <= end) {
                highlights.add(new SearchHit.Highlight(word[0] - start, word[1] - start));
            }
        }
        return new SearchHit(chunk.documentId(), chunk.title(), chunk.position(), chunk.heading(),
                text.substring(start, end), highlights, Math.round(candidate.score() * 1000) / 1000.0, chunk.shared());
    }

    /**
     * Whether the index's word offsets can mark {@code text}: in order and inside it. A chunk's
     * text never changes under its id, so they always do unless the index entry is not what
     * this node wrote; then the text the database answered is analysed again instead.
     */
    static boolean fitsText(List<int[]> words, String text) {
        int after = 0;
        for (int[] word : words) {
            if (word[0] < after || word[1] <= word[0] || word[1] > text.length()) {
                return false;
            }
            after = word[1];
        }
        return true;
    }

    /** Where the snippet starts: at a word's start, a little before the stretch with the most matches. */
    private static int snippetStart(String text, List<int[]> at) {
        int best = 0;
        int bestCount = 0;
        for (int i = 0; i < at.size(); i++) {
            int count = 0;
            for (int j = i; j < at.size() && at.get(j)[1] <= at.get(i)[0] + SNIPPET - 40; j++) {
                count++;
            }
            if (count > bestCount) {
                bestCount = count;
                best = at.get(i)[0];
            }
        }
        int start = Math.max(0, best - 40);
        while (start > 0 && start < best && !Character.isWhitespace(text.charAt(start - 1))) {
            start++;
        }
        return start;
    }
}
