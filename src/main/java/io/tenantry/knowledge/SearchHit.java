package io.tenantry.knowledge;

import java.util.List;
import java.util.UUID;

import io.swagger.v3.oas.annotations.media.Schema;
import io.tenantry.api.Always;

/**
 * A chunk that answers a search: where it is (document, position, heading), a snippet of
 * its text with the places that match the query, and its BM25 score. Snippets are plain
 * text; {@code highlights} are [start, end) offsets into the snippet, so nothing in a
 * document is ever read as markup.
 */
@Schema(name = "KnowledgeSearchHit")
record SearchHit(@Always UUID documentId, @Always String title, @Always int position, String heading,
        @Always String snippet, @Always List<Highlight> highlights, @Always double score, @Always boolean shared) {

    @Schema(name = "KnowledgeHighlight", description = "Where a word of the query stands in the snippet: [start, end) "
            + "in UTF-16 code units, as JavaScript's String.slice counts (a character outside the Basic "
            + "Multilingual Plane, such as most emoji, counts two).")
    record Highlight(@Always int start, @Always int end) {
    }
}
