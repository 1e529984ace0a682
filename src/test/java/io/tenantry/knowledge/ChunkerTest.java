package io.tenantry.knowledge;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

/** How a document's text is cut: along headings and paragraphs, within bounds, nothing lost. */
class ChunkerTest {

    @Test
    void headingsStartChunksAndNameThem() {
        List<Chunker.Chunk> chunks = Chunker.chunks("Intro line.\n\n# First\n\nOne.\n\n## Second ##\n\nTwo.\n");
        assertThat(chunks).extracting(Chunker.Chunk::heading).containsExactly(null, "First", "Second");
        assertThat(chunks).extracting(Chunker.Chunk::content).containsExactly("Intro line.", "One.", "Two.");
        assertThat(chunks).extracting(Chunker.Chunk::position).containsExactly(0, 1, 2);
    }

    @Test
    void aDocumentOfHeadingsAloneIsStillOneChunk() {
        assertThat(Chunker.chunks("# Only a title")).singleElement()
                .satisfies(c -> assertThat(c.content()).isEqualTo("# Only a title"));
    }

    @Test
    void longTextIsCutWithinBoundsWithOverlapAndEveryWordKept() {
        Random random = new Random(7);
        StringBuilder text = new StringBuilder("# Long\n\n");
        StringBuilder oneParagraph = new StringBuilder();
        for (int i = 0; i < 3_000; i++) {
            oneParagraph.append("word").append(i).append(random.nextInt(8) == 0 ? ". " : " ");
        }
        text.append(oneParagraph);
        List<Chunker.Chunk> chunks = Chunker.chunks(text.toString());
        assertThat(chunks).hasSizeGreaterThan(10).allSatisfy(c -> {
            assertThat(c.heading()).isEqualTo("Long");
            assertThat(c.content().length()).isLessThanOrEqualTo(Chunker.LONGEST + Chunker.OVERLAP + 1);
        });
        String all = String.join(" ", chunks.stream().map(Chunker.Chunk::content).toList());
        for (int i = 0; i < 3_000; i += 97) {
            assertThat(all).containsPattern("\\bword" + i + "\\b");
        }
        // Each chunk after the first starts with the end of the one before.
        for (int i = 1; i < chunks.size(); i++) {
            String before = chunks.get(i - 1).content();
            String opening = chunks.get(i).content().substring(0, 30);
            assertThat(before.substring(before.length() - Chunker.OVERLAP - 30)).as("chunk %d", i).contains(opening);
        }
    }

    @Test
    void charactersBeyondTheFirstPlaneAreNeverCutInTwo() {
        String emoji = "\uD83D\uDE00".repeat(Chunker.LONGEST);
        for (Chunker.Chunk chunk : Chunker.chunks(emoji)) {
            assertThat(Character.isLowSurrogate(chunk.content().charAt(0))).isFalse();
            assertThat(Character.isHighSurrogate(chunk.content().charAt(chunk.content().length() - 1))).isFalse();
        }
    }
}
