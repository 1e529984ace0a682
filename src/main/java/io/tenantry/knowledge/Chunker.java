package io.tenantry.knowledge;

import java.util.ArrayList;
import java.util.List;

/**
 * A document's text cut into the pieces search answers with. Cuts fall along headings (a
 * heading always starts a chunk, and names it) and between paragraphs; a chunk holds
 * paragraphs up to {@value #TARGET} characters, a paragraph longer than {@value #LONGEST}
 * is cut between sentences or words. Each chunk after the first of a section starts with
 * the end of the one before, up to {@value #OVERLAP} characters from a word's start, so that a
 * sentence cut in two is still found whole in one of them.
 */
final class Chunker {

    static final int TARGET = 1_000;
    static final int LONGEST = 1_500;
    static final int OVERLAP = 200;
    static final int HEADING_LENGTH = 300;

    record Chunk(int position, String heading, String content) {
    }

    private Chunker() {
    }

    static List<Chunk> chunks(String text) {
        List<Chunk> chunks = new ArrayList<>();
        String heading = null;
        StringBuilder current = new StringBuilder();
        String carried = "";
        for (String block : text.replace("\r\n", "\n").replace('\r', '\n').split("\n\\s*\n")) {
            String trimmed = block.strip();
            if (trimmed.isEmpty()) {
                continue;
            }
            String title = headingOf(trimmed);
            if (title != null) {
                close(chunks, heading, current, carried);
                current.setLength(0);
                carried = "";
                heading = title;
                String rest = trimmed.contains("\n") ? trimmed.substring(trimmed.indexOf('\n') + 1).strip() : "";
                if (rest.isEmpty()) {
                    continue;
                }
                trimmed = rest;
            }
            for (String piece : pieces(trimmed)) {
                if (current.length() > 0 && current.length() + 2 + piece.length() > TARGET) {
                    String closed = close(chunks, heading, current, carried);
                    carried = tail(closed);
                    current.setLength(0);
                }
                if (current.length() > 0) {
                    current.append("\n\n");
                }
                current.append(piece);
            }
        }
        close(chunks, heading, current, carried);
        if (chunks.isEmpty() && !text.isBlank()) {
            // Headings alone: still one chunk, so that the document can be found at all.
            chunks.add(new Chunk(0, heading, text.strip()));
        }
        return chunks;
    }

    /** Adds the chunk being built, if it holds anything: its text, starting with what it carries over. */
    private static String close(List<Chunk> chunks, String heading, StringBuilder current, String carried) {
        if (current.length() == 0) {
            return "";
        }
        String content = carried.isEmpty() ? current.toString() : carried + " " + current;
        chunks.add(new Chunk(chunks.size(), heading, content));
        return current.toString();
    }

    /** A heading's text, for a block that opens with a Markdown heading line; else null. */
    static String headingOf(String block) {
        String first = block.contains("\n") ? block.substring(0, block.indexOf('\n')) : block;
        int level = 0;
        while (level < first.length() && first.charAt(level) == '#') {
            level++;
        }
        if (level == 0 || level > 6 || level == first.length() || first.charAt(level) != ' ') {
            return null;
        }
        String title = first.substring(level).strip().replaceAll("\\s+#+$", "");
        if (title.isEmpty()) {
            return null;
        }
        return title.length() > HEADING_LENGTH ? title.substring(0, HEADING_LENGTH) : title;
    }

    /** A paragraph as pieces of at most {@value #LONGEST} characters, cut after a sentence or else a word. */
    static List<String> pieces(String paragraph) {
        List<String> pieces = new ArrayList<>();
        // By position, never by copying what is left: one paragraph may be a whole 10 MB file.
        int from = 0;
        while (paragraph.length() - from > LONGEST) {
            int cut = lastCut(paragraph, from, from + LONGEST);
            String piece = paragraph.substring(from, cut).strip();
            if (!piece.isEmpty()) {
                pieces.add(piece);
            }
            from = cut;
            while (from < paragraph.length() && Character.isWhitespace(paragraph.charAt(from))) {
                from++;
            }
        }
        String rest = paragraph.substring(from).strip();
        if (!rest.isEmpty()) {
            pieces.add(rest);
        }
        return pieces;
    }

    /**
     * Where to cut {@code text} after {@code from} and at or before {@code limit}: after a
     * sentence, else before a word, else at the limit.
     */
    private static int lastCut(String text, int from, int limit) {
        int half = from + (limit - from) / 2;
        for (int i = limit; i > half; i--) {
            char before = text.charAt(i - 1);
            if ((before == '.' || before == '!' || before == '?' || before == '\n') && Character.isWhitespace(text.charAt(i))) {
                return i;
            }
        }
        for (int i = limit; i > half; i--) {
            if (Character.isWhitespace(text.charAt(i))) {
                return i;
            }
        }
        // Never between the two halves of a character beyond the first plane.
        return Character.isLowSurrogate(text.charAt(limit)) ? limit - 1 : limit;
    }

    /** The end of a chunk to carry into the next: at most {@value #OVERLAP} characters, from a word's start. */
    static String tail(String content) {
        if (content.length() <= OVERLAP) {
            return content;
        }
        int from = content.length() - OVERLAP;
        while (from < content.length() && !Character.isWhitespace(content.charAt(from - 1))) {
            from++;
        }
        return content.substring(from).strip();
    }
}
