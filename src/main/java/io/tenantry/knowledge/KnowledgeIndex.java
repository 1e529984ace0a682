package io.tenantry.knowledge;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import io.tenantry.tenancy.DefaultOrg;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.analysis.tokenattributes.OffsetAttribute;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.FieldType;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexOptions;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.PostingsEnum;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.Terms;
import org.apache.lucene.index.TermsEnum;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.BoostQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.SearcherFactory;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.TermInSetQuery;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.BytesRef;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * This node's search index of every org's chunks, under its data directory. It only
 * proposes: a search answers chunk ids and scores, which {@link KnowledgeSearch} reads back
 * from the database in the caller's scope. Each chunk is indexed with its org (and whether
 * it is shared) so that a search looks in the caller's orgs only, for speed; that filter is
 * not what keeps orgs apart. Writes are serialised: each replaces one document's chunks with
 * what the database holds at that moment.
 */
@Component
class KnowledgeIndex implements DisposableBean {

    /**
     * Bumped when what is indexed changes shape: an index of another format is rebuilt. 4:
     * words folded ({@link FoldingEnglishAnalyzer}).
     */
    static final String FORMAT = "4";
    private static final String CHUNK_HIGH = "chunkHigh";
    private static final String CHUNK_LOW = "chunkLow";
    /**
     * A chunk's text with where each word stands kept in the postings, so that a hit's snippet
     * is marked from the index instead of analysing the hit's text again (a sixth of a
     * search's server time when it was). An index of the format before has no offsets: until
     * it is rebuilt, its candidates' words do not fit the text and the text is analysed.
     */
    private static final FieldType CONTENT = contentType();
    /** The most distinct words a query is searched by. */
    static final int MOST_TERMS = 32;

    private final Path path;
    private final Analyzer analyzer = new FoldingEnglishAnalyzer();
    private FSDirectory directory;
    private IndexWriter writer;
    private SearcherManager searchers;
    /**
     * Held while a reopen of the searcher runs, and while a rebuild clears the index: searches
     * that wait together share one reopen (each writes a small segment), and no reopen shows
     * searches an index a rebuild has cleared and not yet filled.
     */
    private final Object reopening = new Object();
    /** The highest write number searches are known to see. */
    private volatile long searchable;
    /**
     * Per organization, the number of its latest write searches may not see yet. A write does
     * not wait for a reopen (one per document halved the rate of writes); a search in an org
     * written since the last reopen reopens first, so its author and everyone else in the org
     * find a document as soon as its write has answered.
     */
    private final Map<UUID, Long> unseen = new ConcurrentHashMap<>();
    /** Between a rebuild's clearing of the index and its refresh: searches keep the old searcher. */
    private boolean rebuilding;

    KnowledgeIndex(@Value("${tenantry.data-dir}") String dataDir) {
        this.path = Path.of(dataDir, "knowledge-index");
    }

    /**
     * A chunk an index proposes, with its score and where the query's words stand in its text
     * as the index holds it ([start, end) pairs in order).
     */
    record Candidate(UUID chunkId, float score, List<int[]> words) {
    }

    private static FieldType contentType() {
        FieldType type = new FieldType(TextField.TYPE_NOT_STORED);
        type.setIndexOptions(IndexOptions.DOCS_AND_FREQS_AND_POSITIONS_AND_OFFSETS);
        type.freeze();
        return type;
    }

    /** What the last commit says the index holds: its epoch and the change number it is up to. */
    record Committed(String format, UUID epoch, long seq) {
    }

    /** Opens the index, creating it when missing; an unreadable one is started over (and so rebuilt). */
    synchronized Committed open() {
        try {
            Files.createDirectories(path);
            directory = FSDirectory.open(path);
            try {
                writer = new IndexWriter(directory, config());
            } catch (IOException | IllegalArgumentException unreadable) {
                writer = new IndexWriter(directory, config().setOpenMode(IndexWriterConfig.OpenMode.CREATE));
            }
            searchers = new SearcherManager(writer, new SearcherFactory() {
                @Override
                public IndexSearcher newSearcher(IndexReader reader, IndexReader previous) {
                    // Each search filters by one of a thousand orgs: caching those filters
                    // rarely pays, and keeping the cache's books costs every search.
                    IndexSearcher searcher = new IndexSearcher(reader);
                    searcher.setQueryCache(null);
                    return searcher;
                }
            });
            Map<String, String> data = committedData();
            String epoch = data.get("epoch");
            return new Committed(data.get("format"), epoch == null ? null : UUID.fromString(epoch),
                    Long.parseLong(data.getOrDefault("seq", "0")));
        } catch (IOException e) {
            throw new UncheckedIOException("The knowledge index at " + path + " cannot be opened", e);
        }
    }

    private IndexWriterConfig config() {
        // Compound files cost every small segment a copy; this index has few files to hold open.
        return new IndexWriterConfig(analyzer).setRAMBufferSizeMB(64).setUseCompoundFile(false);
    }

    private Map<String, String> committedData() throws IOException {
        if (!DirectoryReader.indexExists(directory)) {
            return Map.of();
        }
        try (DirectoryReader reader = DirectoryReader.open(directory)) {
            return reader.getIndexCommit().getUserData();
        }
    }

    /**
     * Replaces the chunks of a document of {@code orgId} with {@code chunks} (none: the
     * document is gone). The next search in that org sees the change.
     */
    void replace(UUID orgId, UUID documentId, List<KnowledgeRepository.Indexed> chunks) {
        long write;
        try {
            Term document = new Term("doc", documentId.toString());
            write = chunks.isEmpty() ? writer.deleteDocuments(document)
                    : writer.updateDocuments(document, chunks.stream().map(KnowledgeIndex::document).toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        unseen.merge(orgId, write, Math::max);
    }

    /**
     * Reopens the searcher if a search in {@code orgs} (all, when null; with the default
     * organization's shared documents when asked) could miss a write made before it. Searches
     * that queue behind another's reopen usually find their writes covered by it.
     */
    private void awaitWritesOf(Collection<UUID> orgs, boolean withShared) {
        long needed = 0;
        if (orgs == null) {
            for (long write : unseen.values()) {
                needed = Math.max(needed, write);
            }
        } else {
            for (UUID org : orgs) {
                needed = Math.max(needed, unseen.getOrDefault(org, 0L));
            }
        }
        if (withShared) {
            needed = Math.max(needed, unseen.getOrDefault(DefaultOrg.ID, 0L));
        }
        if (needed <= searchable) {
            return;
        }
        synchronized (reopening) {
            if (!rebuilding && needed > searchable) {
                reopen();
            }
        }
    }

    /** Whether a write may not be visible to searches yet. */
    boolean behind() {
        return !unseen.isEmpty();
    }

    /** Reopens the searcher on every write completed so far. Called holding {@link #reopening}. */
    private void reopen() {
        long covered = writer.getMaxCompletedSequenceNumber();
        try {
            searchers.maybeRefreshBlocking();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        searchable = Math.max(searchable, covered);
        // An org written again meanwhile keeps its newer number (the removal compares the value).
        unseen.values().removeIf(write -> write <= covered);
    }

    /** Adds chunks known not to be indexed yet (a rebuild after {@link #clear}). */
    void add(List<KnowledgeRepository.Indexed> chunks) {
        try {
            writer.addDocuments(chunks.stream().map(KnowledgeIndex::document).toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Merges the index into one segment: after a rebuild, so that a search looks its words up
     * once rather than in each of the segments the rebuild wrote.
     */
    void compact() {
        try {
            writer.forceMerge(1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Empties the index for a rebuild; searches see the old index until {@link #refresh} after it. */
    void clear() {
        synchronized (reopening) {
            rebuilding = true;
            try {
                writer.deleteAll();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static Document document(KnowledgeRepository.Indexed chunk) {
        Document document = new Document();
        // As doc values, not a stored field: a search reads forty ids without decompressing a block each.
        document.add(new NumericDocValuesField(CHUNK_HIGH, chunk.chunkId().getMostSignificantBits()));
        document.add(new NumericDocValuesField(CHUNK_LOW, chunk.chunkId().getLeastSignificantBits()));
        document.add(new StringField("doc", chunk.documentId().toString(), Field.Store.NO));
        document.add(new StringField("org", chunk.orgId().toString(), Field.Store.NO));
        if (chunk.shared()) {
            document.add(new StringField("shared", "1", Field.Store.NO));
        }
        for (String tag : chunk.tags()) {
            document.add(new StringField("tag", tag, Field.Store.NO));
        }
        document.add(new TextField("title", chunk.title(), Field.Store.NO));
        document.add(new Field("content", chunk.content(), CONTENT));
        return document;
    }

    /** Makes what was written visible to searches, a rebuild's work included. */
    void refresh() {
        synchronized (reopening) {
            reopen();
            rebuilding = false;
        }
    }

    /** Makes what was written durable, saying which epoch it belongs to and which change it is up to. */
    void commit(UUID epoch, long seq) {
        try {
            writer.setLiveCommitData(Map.of("format", FORMAT, "epoch", epoch.toString(), "seq", Long.toString(seq))
                    .entrySet());
            writer.commit();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The words of {@code text} as the index knows them, distinct, in order, at most {@value #MOST_TERMS}. */
    List<String> terms(String text) {
        Set<String> terms = new LinkedHashSet<>();
        try (TokenStream tokens = analyzer.tokenStream("content", text)) {
            CharTermAttribute term = tokens.addAttribute(CharTermAttribute.class);
            tokens.reset();
            while (tokens.incrementToken() && terms.size() < MOST_TERMS) {
                terms.add(term.toString());
            }
            tokens.end();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return List.copyOf(terms);
    }

    /** Where in {@code text} the words of {@code terms} stand, as [start, end) pairs. */
    List<int[]> occurrences(String text, Collection<String> terms) {
        List<int[]> found = new ArrayList<>();
        try (TokenStream tokens = analyzer.tokenStream("content", text)) {
            CharTermAttribute term = tokens.addAttribute(CharTermAttribute.class);
            OffsetAttribute offset = tokens.addAttribute(OffsetAttribute.class);
            tokens.reset();
            while (tokens.incrementToken()) {
                if (terms.contains(term.toString())) {
                    found.add(new int[] {offset.startOffset(), offset.endOffset()});
                }
            }
            tokens.end();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return found;
    }

    /**
     * The best chunks for {@code terms} (BM25, a title's words counting double) among those of
     * {@code orgs} (all, when null) and, when asked, the shared ones; with {@code tag} when given.
     */
    List<Candidate> search(List<String> terms, Collection<UUID> orgs, boolean withShared, String tag, int count) {
        awaitWritesOf(orgs, withShared);
        BooleanQuery.Builder words = new BooleanQuery.Builder();
        for (String term : terms) {
            words.add(new TermQuery(new Term("content", term)), BooleanClause.Occur.SHOULD);
            words.add(new BoostQuery(new TermQuery(new Term("title", term)), 2f), BooleanClause.Occur.SHOULD);
        }
        BooleanQuery.Builder query = new BooleanQuery.Builder().add(words.build(), BooleanClause.Occur.MUST);
        Query visible = null;
        if (orgs != null) {
            BooleanQuery.Builder whose = new BooleanQuery.Builder()
                    .add(new TermInSetQuery("org", orgs.stream().map(o -> new BytesRef(o.toString())).toList()),
                            BooleanClause.Occur.SHOULD);
            if (withShared) {
                whose.add(new TermQuery(new Term("shared", "1")), BooleanClause.Occur.SHOULD);
            }
            visible = whose.build();
            query.add(visible, BooleanClause.Occur.FILTER);
        }
        if (tag != null) {
            query.add(new TermQuery(new Term("tag", tag)), BooleanClause.Occur.FILTER);
        }
        try {
            IndexSearcher searcher = searchers.acquire();
            try {
                // Ranked by the figures of what the caller may see, never by other orgs' (VisibleCorpusSearcher).
                IndexSearcher ranking = visible == null ? searcher
                        : new VisibleCorpusSearcher(searcher.getIndexReader(), visible);
                return candidates(searcher.getIndexReader().leaves(), ranking.search(query.build(), count).scoreDocs,
                        terms);
            } finally {
                searchers.release(searcher);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The hits' chunk ids and words, in the hits' order. Doc values and postings are read
     * forwards within a segment, so the hits are visited in document order and put back in
     * score order.
     */
    private static List<Candidate> candidates(List<LeafReaderContext> leaves, ScoreDoc[] hits, List<String> terms)
            throws IOException {
        Integer[] byDoc = new Integer[hits.length];
        Arrays.setAll(byDoc, i -> i);
        Arrays.sort(byDoc, Comparator.comparingInt(i -> hits[i].doc));
        Candidate[] candidates = new Candidate[hits.length];
        int leaf = -1;
        NumericDocValues high = null;
        NumericDocValues low = null;
        WordOffsets offsets = null;
        for (int i : byDoc) {
            int at = ReaderUtil.subIndex(hits[i].doc, leaves);
            if (at != leaf) {
                leaf = at;
                LeafReader reader = leaves.get(at).reader();
                high = reader.getNumericDocValues(CHUNK_HIGH);
                low = reader.getNumericDocValues(CHUNK_LOW);
                offsets = new WordOffsets(reader, terms);
            }
            int doc = hits[i].doc - leaves.get(at).docBase;
            if (high == null || low == null || !high.advanceExact(doc) || !low.advanceExact(doc)) {
                throw new IllegalStateException("The knowledge index holds a chunk without its id; rebuild it.");
            }
            candidates[i] = new Candidate(new UUID(high.longValue(), low.longValue()), hits[i].score, offsets.in(doc));
        }
        return List.of(candidates);
    }

    /** Where the query's words stand in the chunks of one segment, read from the content's postings. */
    private static final class WordOffsets {

        private final List<PostingsEnum> postings = new ArrayList<>();

        WordOffsets(LeafReader reader, List<String> terms) throws IOException {
            Terms content = reader.terms("content");
            if (content == null) {
                return;
            }
            TermsEnum words = content.iterator();
            for (String term : terms) {
                if (words.seekExact(new BytesRef(term))) {
                    postings.add(words.postings(null, PostingsEnum.OFFSETS));
                }
            }
        }

        /** For documents asked in increasing order, as the postings only move forwards. */
        List<int[]> in(int doc) throws IOException {
            List<int[]> found = new ArrayList<>();
            for (PostingsEnum word : postings) {
                if (word.docID() < doc) {
                    word.advance(doc);
                }
                if (word.docID() == doc) {
                    for (int n = word.freq(); n > 0; n--) {
                        word.nextPosition();
                        found.add(new int[] {word.startOffset(), word.endOffset()});
                    }
                }
            }
            found.sort(Comparator.comparingInt(w -> w[0]));
            return found;
        }
    }

    /** How many chunks the index holds, as searches see it. */
    int size() {
        try {
            IndexSearcher searcher = searchers.acquire();
            try {
                return searcher.getIndexReader().numDocs();
            } finally {
                searchers.release(searcher);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public synchronized void destroy() throws IOException {
        if (writer != null) {
            searchers.close();
            writer.close();
            directory.close();
        }
    }
}
