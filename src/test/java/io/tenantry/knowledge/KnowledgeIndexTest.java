package io.tenantry.knowledge;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.tenantry.tenancy.DefaultOrg;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writes do not wait for the searcher to reopen; a search in an org written since the last
 * reopen must still see every write that answered before it. Nothing else reopens here (no
 * follower), so a search that skipped its reopen would miss the document.
 */
class KnowledgeIndexTest {

    @TempDir
    Path dir;

    KnowledgeIndex index;

    @BeforeEach
    void open() {
        index = new KnowledgeIndex(dir.toString());
        index.open();
    }

    @AfterEach
    void close() throws Exception {
        index.destroy();
    }

    static KnowledgeRepository.Indexed chunk(UUID document, UUID org, boolean shared, String content) {
        return new KnowledgeRepository.Indexed(UUID.randomUUID(), document, org, shared, "Title", List.of(), content);
    }

    List<UUID> found(String word, UUID org, boolean withShared) {
        return index.search(List.of(word), List.of(org), withShared, null, 10).stream()
                .map(KnowledgeIndex.Candidate::chunkId).toList();
    }

    @Test
    void aSearchInAnOrgSeesEveryWriteOfItThatHasAnswered() {
        UUID org = UUID.randomUUID();
        UUID document = UUID.randomUUID();
        KnowledgeRepository.Indexed first = chunk(document, org, false, "capybara");
        index.replace(org, document, List.of(first));
        assertThat(index.behind()).isTrue();
        assertThat(found("capybara", org, false)).containsExactly(first.chunkId());
        assertThat(index.behind()).isFalse();

        KnowledgeRepository.Indexed second = chunk(document, org, false, "wombat");
        index.replace(org, document, List.of(second));
        assertThat(found("capybara", org, false)).isEmpty();
        assertThat(found("wombat", org, false)).containsExactly(second.chunkId());

        index.replace(org, document, List.of());
        assertThat(found("wombat", org, false)).isEmpty();
    }

    @Test
    void sharedWritesOfTheDefaultOrganizationAreSeenByEveryOrgSearchingSharedKnowledge() {
        UUID document = UUID.randomUUID();
        KnowledgeRepository.Indexed shared = chunk(document, DefaultOrg.ID, true, "pangolin");
        index.replace(DefaultOrg.ID, document, List.of(shared));
        assertThat(found("pangolin", UUID.randomUUID(), true)).containsExactly(shared.chunkId());
    }

    float score(String word, UUID org, boolean withShared) {
        return index.search(List.of(word), List.of(org), withShared, null, 10).stream()
                .map(KnowledgeIndex.Candidate::score).findFirst().orElseThrow();
    }

    void write(UUID org, boolean shared, String... contents) {
        for (String content : contents) {
            UUID document = UUID.randomUUID();
            index.replace(org, document, List.of(chunk(document, org, shared, content)));
        }
    }

    /**
     * Ranking figures taken over the whole index told one org what another's documents say:
     * a word another org used scored lower, and scores moved with how much others wrote.
     */
    @Test
    void anOrgsScoresAreTheSameWhateverOtherOrgsWrite() {
        UUID org = UUID.randomUUID();
        write(org, false, "probe acquisitiontarget", "probe neverusedword", "probe some more words here");
        float used = score("acquisitiontarget", org, true);
        float unused = score("neverusedword", org, true);
        assertThat(used).isEqualTo(unused);

        UUID other = UUID.randomUUID();
        for (int i = 0; i < 5; i++) {
            write(other, false, "board minutes acquisitiontarget is confidential " + "filler ".repeat(40 * i));
        }
        // The default org's own documents are another org's too; only its shared ones are anyone's.
        write(DefaultOrg.ID, false, "acquisitiontarget acquisitiontarget", "neverusedword");

        assertThat(score("acquisitiontarget", org, true)).isEqualTo(used);
        assertThat(score("neverusedword", org, true)).isEqualTo(unused);
        assertThat(score("acquisitiontarget", org, false)).isEqualTo(used);

        // Shared knowledge is part of what the org searches, and so of its figures.
        write(DefaultOrg.ID, true, "acquisitiontarget shared guide");
        assertThat(score("acquisitiontarget", org, true)).isLessThan(used);
        assertThat(score("acquisitiontarget", org, false)).isEqualTo(used);
    }

    @Test
    void aSearchAcrossAllOrgsSeesEveryOrgsWrites() {
        UUID org = UUID.randomUUID();
        UUID document = UUID.randomUUID();
        KnowledgeRepository.Indexed written = chunk(document, org, false, "tapir");
        index.replace(org, document, List.of(written));
        assertThat(index.search(List.of("tapir"), null, false, null, 10)).extracting(KnowledgeIndex.Candidate::chunkId)
                .containsExactly(written.chunkId());
    }

    @Test
    void aCandidateSaysWhereTheQuerysWordsStandAsAnalysingItsTextAgainWould() {
        UUID org = UUID.randomUUID();
        UUID one = UUID.randomUUID();
        UUID two = UUID.randomUUID();
        List<KnowledgeRepository.Indexed> first = List.of(
                chunk(one, org, false, "Tapirs swim. A tapir's snout is short; TAPIR calves run, running tapirs run far."),
                chunk(one, org, false, "Nothing but one tapir here, and the word running at the end: running"));
        KnowledgeRepository.Indexed later = chunk(two, org, false, "A lone running tapir");
        index.replace(org, one, first);
        found("tapir", org, false);
        // A second segment, so that the hits span segments as well as chunks within one.
        index.replace(org, two, List.of(later));
        Map<UUID, String> texts = Stream.concat(first.stream(), Stream.of(later))
                .collect(Collectors.toMap(KnowledgeRepository.Indexed::chunkId, KnowledgeRepository.Indexed::content));
        List<String> terms = index.terms("running tapirs");

        List<KnowledgeIndex.Candidate> hits = index.search(terms, List.of(org), false, null, 10);

        assertThat(hits).extracting(KnowledgeIndex.Candidate::chunkId).containsExactlyInAnyOrderElementsOf(texts.keySet());
        for (KnowledgeIndex.Candidate hit : hits) {
            String text = texts.get(hit.chunkId());
            assertThat(hit.words()).as(text).hasSizeGreaterThan(1)
                    .usingElementComparator(Arrays::compare)
                    .containsExactlyElementsOf(index.occurrences(text, terms));
            assertThat(KnowledgeSearch.fitsText(hit.words(), text)).isTrue();
        }
    }

    @Test
    void wordOffsetsThatDoNotFitTheTextAnsweredAreNotUsed() {
        String text = "a tapir";
        assertThat(KnowledgeSearch.fitsText(List.of(new int[] {2, 7}), text)).isTrue();
        assertThat(KnowledgeSearch.fitsText(List.of(), text)).isTrue();
        assertThat(KnowledgeSearch.fitsText(List.of(new int[] {2, 8}), text)).isFalse();
        assertThat(KnowledgeSearch.fitsText(List.of(new int[] {-1, 1}), text)).isFalse();
        assertThat(KnowledgeSearch.fitsText(List.of(new int[] {3, 3}), text)).isFalse();
        assertThat(KnowledgeSearch.fitsText(List.of(new int[] {2, 7}, new int[] {0, 1}), text)).isFalse();
    }
}
