package io.tenantry.knowledge;

import java.io.IOException;
import java.text.Normalizer;

import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.StopFilter;
import org.apache.lucene.analysis.StopwordAnalyzerBase;
import org.apache.lucene.analysis.TokenFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.analysis.en.EnglishPossessiveFilter;
import org.apache.lucene.analysis.en.PorterStemFilter;
import org.apache.lucene.analysis.standard.StandardTokenizer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;

/**
 * Lucene's English analysis (possessives, lower case, stop words, Porter stems), each word
 * first folded to the letters it is read as: compatibility forms to their plain letters
 * (a PDF's "ﬁ" ligature, full-width "ＦＵＬＬ") and accents dropped, however they were
 * encoded ("café" precomposed or as "e" and a combining accent). So "finance" finds a PDF's
 * "ﬁnance" and "cafe" finds "café", as the guardrails' keywords do. Folding changes a word,
 * never where it stands: highlights keep the text's own offsets.
 */
final class FoldingEnglishAnalyzer extends StopwordAnalyzerBase {

    FoldingEnglishAnalyzer() {
        super(EnglishAnalyzer.ENGLISH_STOP_WORDS_SET);
    }

    @Override
    protected TokenStreamComponents createComponents(String fieldName) {
        Tokenizer source = new StandardTokenizer();
        TokenStream result = new Folding(source);
        result = new EnglishPossessiveFilter(result);
        result = new LowerCaseFilter(result);
        result = new StopFilter(result, stopwords);
        result = new PorterStemFilter(result);
        return new TokenStreamComponents(source, result);
    }

    @Override
    protected TokenStream normalize(String fieldName, TokenStream in) {
        return new LowerCaseFilter(new Folding(in));
    }

    /** A word in compatibility decomposition without its non-spacing marks and invisible characters, recomposed. */
    static String fold(CharSequence word) {
        String decomposed = Normalizer.normalize(word, Normalizer.Form.NFKD);
        StringBuilder kept = new StringBuilder(decomposed.length());
        for (int i = 0; i < decomposed.length(); i++) {
            char c = decomposed.charAt(i);
            int type = Character.getType(c);
            // Marks go, and so do characters that show nothing (a soft hyphen inside a word).
            if (type != Character.NON_SPACING_MARK && type != Character.FORMAT) {
                kept.append(c);
            }
        }
        // A word of marks alone (a stray accent) stays what it was rather than vanish.
        return kept.isEmpty() ? word.toString() : Normalizer.normalize(kept, Normalizer.Form.NFC);
    }

    private static final class Folding extends TokenFilter {

        private final CharTermAttribute term = addAttribute(CharTermAttribute.class);

        Folding(TokenStream input) {
            super(input);
        }

        @Override
        public boolean incrementToken() throws IOException {
            if (!input.incrementToken()) {
                return false;
            }
            for (int i = 0; i < term.length(); i++) {
                if (term.charAt(i) >= 0x80) {
                    String folded = fold(term);
                    term.setEmpty().append(folded);
                    break;
                }
            }
            return true;
        }
    }
}
