package io.tenantry.knowledge;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.PostingsEnum;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.Terms;
import org.apache.lucene.index.TermsEnum;
import org.apache.lucene.search.CollectionStatistics;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.Scorer;
import org.apache.lucene.search.TermStatistics;
import org.apache.lucene.search.Weight;
import org.apache.lucene.util.BitSetIterator;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.FixedBitSet;
import org.apache.lucene.util.SmallFloat;

/**
 * A searcher of the one index of every org whose ranking statistics count only the chunks
 * the search may see (its orgs' and the shared ones). BM25 weighs a word by how many chunks
 * hold it and a chunk by its length against the average; taken over the whole index, those
 * figures are every org's, and a search's scores moved with what other orgs wrote (a word
 * another org's private documents used scored lower), which told one org what another's
 * documents say. Here both come from the visible chunks alone: the same scores whatever
 * other orgs hold. A chunk's own length is its norm, as in any BM25 search.
 */
final class VisibleCorpusSearcher extends IndexSearcher {

    /** Per segment, the live chunks the search may see, and how many they are. */
    private final FixedBitSet[] visible;
    private final int[] counts;
    /** Per field: asked for by every word's weight, the same for each. */
    private final Map<String, CollectionStatistics> fields = new HashMap<>();

    VisibleCorpusSearcher(IndexReader reader, Query visibleChunks) throws IOException {
        super(reader);
        setQueryCache(null);
        List<LeafReaderContext> leaves = reader.leaves();
        visible = new FixedBitSet[leaves.size()];
        counts = new int[leaves.size()];
        Weight weight = createWeight(rewrite(visibleChunks), ScoreMode.COMPLETE_NO_SCORES, 1f);
        for (LeafReaderContext leaf : leaves) {
            FixedBitSet bits = new FixedBitSet(Math.max(1, leaf.reader().maxDoc()));
            Scorer scorer = weight.scorer(leaf);
            if (scorer != null) {
                Bits live = leaf.reader().getLiveDocs();
                DocIdSetIterator docs = scorer.iterator();
                for (int doc = docs.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = docs.nextDoc()) {
                    if (live == null || live.get(doc)) {
                        bits.set(doc);
                    }
                }
            }
            visible[leaf.ord] = bits;
            counts[leaf.ord] = bits.cardinality();
        }
    }

    @Override
    public CollectionStatistics collectionStatistics(String field) throws IOException {
        CollectionStatistics known = fields.get(field);
        if (known == null) {
            known = counted(field);
            fields.put(field, known);
        }
        return known;
    }

    private CollectionStatistics counted(String field) throws IOException {
        long chunks = 0;
        long withField = 0;
        long length = 0;
        for (LeafReaderContext leaf : getIndexReader().leaves()) {
            FixedBitSet bits = visible[leaf.ord];
            int count = counts[leaf.ord];
            chunks += count;
            NumericDocValues norms = leaf.reader().getNormValues(field);
            if (norms == null || count == 0) {
                continue;
            }
            BitSetIterator docs = new BitSetIterator(bits, count);
            for (int doc = docs.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = docs.nextDoc()) {
                if (norms.advanceExact(doc)) {
                    withField++;
                    // The length BM25 itself gives the chunk (its norm keeps it to about 1 in 8).
                    length += Math.max(1, SmallFloat.byte4ToInt((byte) norms.longValue()));
                }
            }
        }
        if (withField == 0) {
            // No visible chunk has the field, so nothing it holds can score: any valid figures do.
            return new CollectionStatistics(field, 1, 1, 1, 1);
        }
        return new CollectionStatistics(field, Math.max(chunks, withField), withField, length, withField);
    }

    @Override
    public TermStatistics termStatistics(Term term, int docFreq, long totalTermFreq) throws IOException {
        long holding = 0;
        long occurrences = 0;
        for (LeafReaderContext leaf : getIndexReader().leaves()) {
            FixedBitSet bits = visible[leaf.ord];
            int count = counts[leaf.ord];
            LeafReader reader = leaf.reader();
            Terms terms = reader.terms(term.field());
            if (count == 0 || terms == null) {
                continue;
            }
            TermsEnum words = terms.iterator();
            if (!words.seekExact(term.bytes())) {
                continue;
            }
            PostingsEnum postings = words.postings(null, PostingsEnum.FREQS);
            // Leapfrog the visible chunks and the word's: a small org costs its own chunks, not the index's.
            BitSetIterator docs = new BitSetIterator(bits, count);
            int doc = docs.nextDoc();
            while (doc != DocIdSetIterator.NO_MORE_DOCS) {
                int at = postings.docID() < doc ? postings.advance(doc) : postings.docID();
                if (at == DocIdSetIterator.NO_MORE_DOCS) {
                    break;
                }
                if (at == doc) {
                    holding++;
                    occurrences += postings.freq();
                    doc = docs.nextDoc();
                } else {
                    doc = docs.advance(at);
                }
            }
        }
        if (holding == 0) {
            // No visible chunk holds the word, so it scores none of them: any valid figures do.
            return new TermStatistics(term.bytes(), 1, 1);
        }
        return new TermStatistics(term.bytes(), holding, Math.max(holding, occurrences));
    }
}
