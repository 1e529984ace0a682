package io.tenantry.knowledge;

import java.io.IOException;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import org.apache.pdfbox.Loader;
import org.apache.pdfbox.io.MemoryUsageSetting;
import org.apache.pdfbox.io.RandomAccessReadBuffer;
import org.apache.pdfbox.pdmodel.encryption.InvalidPasswordException;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.text.PDFTextStripper;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Element;
import org.jsoup.nodes.Node;
import org.jsoup.nodes.TextNode;
import org.jsoup.select.NodeVisitor;

import io.tenantry.api.ApiException;

/**
 * The text of an uploaded file, by its kind: plain text and Markdown as they are, HTML
 * without its markup (headings kept as Markdown headings, so that chunks follow them), and
 * the text of a PDF. The kind is told by the file's name; the content must bear it out: text
 * must be UTF-8 with no binary bytes in it, and a PDF must open as one. What fails is refused
 * with a message saying why; nothing is stored.
 */
final class UploadedText {

    static final long MAX_BYTES = 10L * 1024 * 1024;
    /** Beyond this a text is not a document but data: refused, so that no upload holds chunks without end. */
    static final int MAX_CHARS = 10 * 1024 * 1024;

    private static final Map<String, String> KINDS = Map.of("txt", "text/plain", "text", "text/plain",
            "md", "text/markdown", "markdown", "text/markdown", "html", "text/html", "htm", "text/html",
            "pdf", "application/pdf");
    private static final Set<String> HTML_BLOCKS = Set.of("p", "div", "section", "article", "header", "footer",
            "li", "tr", "br", "pre", "blockquote", "table", "ul", "ol", "dd", "dt", "main", "aside", "nav");

    record Extracted(String contentType, String text) {
    }

    private UploadedText() {
    }

    static Extracted of(String fileName, byte[] bytes) {
        if (bytes.length == 0) {
            throw ApiException.badRequest("file", "The file is empty.");
        }
        if (bytes.length > MAX_BYTES) {
            throw ApiException.tooLarge("file", "A file may be at most 10 MB.");
        }
        String kind = kindOf(fileName);
        if (!"application/pdf".equals(kind) && isPdf(bytes)) {
            throw ApiException.badRequest("file", "The file is a PDF named as text: name it .pdf and upload it again.");
        }
        String text = switch (kind) {
            case "application/pdf" -> pdf(bytes);
            case "text/html" -> html(utf8(bytes));
            default -> utf8(bytes);
        };
        // Control characters a PDF's text or an HTML entity gave, and a text file's page breaks
        // (its other control characters are refused above), become spaces; characters that show
        // nothing but can reorder or hide what is shown (direction overrides, zero-width spaces,
        // byte-order marks) are dropped, as the JSON API refuses them in written documents.
        text = text.replace("\r\n", "\n").replace('\r', '\n').replaceAll("[\\p{Cc}&&[^\\n\\t]]", " ")
                .replaceAll("[\\u202A-\\u202E\\u2066-\\u2069\\u200B\\u2060-\\u2064\\uFEFF\\x{E0000}-\\x{E007F}\\uD800-\\uDFFF]", "")
                .strip();
        if (text.isEmpty()) {
            throw ApiException.badRequest("file", "The file holds no text"
                    + ("application/pdf".equals(kind) ? " (a scanned PDF has only images of text)." : "."));
        }
        if (text.length() > MAX_CHARS) {
            throw ApiException.tooLarge("file", "The file's text is longer than 10 MB.");
        }
        return new Extracted(kind, text);
    }

    static String kindOf(String fileName) {
        String name = fileName == null ? "" : fileName.strip();
        int dot = name.lastIndexOf('.');
        String kind = dot < 0 ? null : KINDS.get(name.substring(dot + 1).toLowerCase(Locale.ROOT));
        if (kind == null) {
            throw ApiException.unsupportedMediaType("file", "Upload plain text (.txt), Markdown (.md), HTML (.html) "
                    + "or PDF (.pdf); the kind is told by the file's name.");
        }
        return kind;
    }

    /** Whether the bytes open as every PDF does. */
    private static boolean isPdf(byte[] bytes) {
        return bytes.length >= 5 && new String(bytes, 0, 5, StandardCharsets.US_ASCII).equals("%PDF-");
    }

    /**
     * Strict UTF-8 (a byte-order mark dropped), refusing what is not text at all and, as the
     * JSON API does for written documents, control characters other than tabs, line breaks
     * and page breaks, rather than changing them quietly.
     */
    /** {@code bytes} as UTF-8, refused (not replaced with U+FFFD) where they are not. */
    static String strictUtf8(byte[] bytes) throws CharacterCodingException {
        return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
    }

    private static String utf8(byte[] bytes) {
        for (byte b : bytes) {
            if (b == 0) {
                throw ApiException.badRequest("file", "The file is not text: it holds binary data (NUL bytes).");
            }
        }
        String text;
        try {
            text = strictUtf8(bytes);
        } catch (CharacterCodingException e) {
            throw ApiException.badRequest("file", "The file is not UTF-8 text; save it as UTF-8 and upload it again.");
        }
        java.util.regex.Matcher control = TEXT_CONTROL.matcher(text);
        if (control.find()) {
            throw ApiException.badRequest("file", String.format("The file holds control characters (U+%04X at "
                    + "character %,d): save it as plain text without them.", (int) control.group().charAt(0),
                    control.start() + 1));
        }
        return text.startsWith("\uFEFF") ? text.substring(1) : text;
    }

    /** Control characters (C0, DEL, C1) but tab, line feed, carriage return and form feed. */
    private static final java.util.regex.Pattern TEXT_CONTROL = java.util.regex.Pattern.compile(
            "[\\p{Cc}&&[^\\t\\n\\r\\f]]");

    /**
     * A PDF's text, within bounds: a small file can expand to gigabytes or take minutes
     * (compressed streams, a page drawn over and over), so its streams are cached in at most
     * {@value #PDF_MEMORY} bytes of memory and {@value #PDF_SCRATCH} on disk, extraction stops
     * after {@link #PDF_TIME} or {@value #MAX_CHARS} characters, and at most two run at once.
     */
    private static String pdf(byte[] bytes) {
        if (!isPdf(bytes)) {
            throw ApiException.badRequest("file", "The file is named .pdf but is not a PDF.");
        }
        boolean admitted;
        try {
            admitted = PDF_TURNS.tryAcquire(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            admitted = false;
        }
        if (!admitted) {
            throw ApiException.tooManyRequests("Other PDFs are being read; upload this one again shortly.",
                    Duration.ofSeconds(30));
        }
        try (PDDocument document = Loader.loadPDF(new RandomAccessReadBuffer(bytes), "", null, null,
                MemoryUsageSetting.setupMixed(PDF_MEMORY, PDF_SCRATCH).streamCache)) {
            BoundedStripper stripper = new BoundedStripper(Instant.now().plus(PDF_TIME));
            stripper.setParagraphEnd("\n\n");
            // Looking for text drawn twice at one place is quadratic in the text drawn: a small
            // file drawing one line a million times took minutes. Such text is kept twice.
            stripper.setSuppressDuplicateOverlappingText(false);
            BoundedText text = new BoundedText(Instant.now().plus(PDF_TIME));
            stripper.writeText(document, text);
            return text.toString();
        } catch (InvalidPasswordException e) {
            throw ApiException.badRequest("file", "The PDF is encrypted; upload a copy without a password.");
        } catch (BoundedText.Exceeded | BoundedStripper.Exceeded e) {
            throw ApiException.badRequest("file", e.getMessage());
        } catch (IOException | RuntimeException | OutOfMemoryError | StackOverflowError e) {
            // Whatever PDFBox fails with on a malformed or hostile file, it is the file's fault.
            throw ApiException.badRequest("file", "The PDF cannot be read: it is damaged, not a PDF, or too "
                    + "large once expanded.");
        } finally {
            PDF_TURNS.release();
        }
    }

    static final long PDF_MEMORY = 32L * 1024 * 1024;
    static final long PDF_SCRATCH = 256L * 1024 * 1024;
    static final Duration PDF_TIME = Duration.ofSeconds(20);
    private static final Semaphore PDF_TURNS = new Semaphore(2);

    /** Glyphs on one page beyond which it is no page anyone reads (a real one holds a few thousand). */
    static final int PAGE_GLYPHS = 100_000;

    /**
     * The text stripper, stopped as it reads each glyph: PDFBox gathers a whole page before
     * writing any of it, so a page drawing one line a million times would fill memory and take
     * minutes before the written text could be counted.
     */
    private static final class BoundedStripper extends PDFTextStripper {

        static final class Exceeded extends RuntimeException {
            Exceeded(String message) {
                super(message, null, false, false);
            }
        }

        private final Instant deadline;
        private int onThisPage;

        BoundedStripper(Instant deadline) {
            this.deadline = deadline;
        }

        @Override
        protected void startPage(org.apache.pdfbox.pdmodel.PDPage page) throws IOException {
            onThisPage = 0;
            super.startPage(page);
        }

        @Override
        protected void processTextPosition(org.apache.pdfbox.text.TextPosition text) {
            if (++onThisPage > PAGE_GLYPHS) {
                throw new Exceeded("A page of the PDF holds more text than any page anyone reads (over "
                        + PAGE_GLYPHS + " characters); upload its text instead.");
            }
            if ((onThisPage & 1023) == 0 && Instant.now().isAfter(deadline)) {
                throw new Exceeded("The PDF takes too long to read (more than " + PDF_TIME.toSeconds()
                        + " seconds); upload its text instead.");
            }
            super.processTextPosition(text);
        }
    }

    /** Where extracted text goes: refuses to grow past {@link #MAX_CHARS} or to be written past its deadline. */
    private static final class BoundedText extends Writer {

        static final class Exceeded extends IOException {
            Exceeded(String message) {
                super(message);
            }
        }

        private final StringBuilder text = new StringBuilder();
        private final Instant deadline;

        BoundedText(Instant deadline) {
            this.deadline = deadline;
        }

        @Override
        public void write(char[] buffer, int offset, int length) throws IOException {
            if (text.length() + length > MAX_CHARS) {
                throw new Exceeded("The PDF's text is longer than 10 MB.");
            }
            if (Instant.now().isAfter(deadline)) {
                throw new Exceeded("The PDF takes too long to read (more than " + PDF_TIME.toSeconds()
                        + " seconds); upload its text instead.");
            }
            text.append(buffer, offset, length);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }

        @Override
        public String toString() {
            return text.toString();
        }
    }

    /**
     * More elements than any document's page holds (the longest encyclopedia articles hold
     * tens of thousands). Parsing costs microseconds an element, so ten megabytes of bare
     * {@code <div>}s took a core for half a minute to find no text.
     */
    static final int MAX_HTML_ELEMENTS = 100_000;

    /** HTML's text: scripts and styles dropped, headings as Markdown headings, blocks as paragraphs. */
    static String html(String html) {
        if (elements(html) > MAX_HTML_ELEMENTS) {
            throw ApiException.tooLarge("file", "The HTML file holds more than " + String.format("%,d",
                    MAX_HTML_ELEMENTS) + " elements, more than a document's page does: save its text as .txt or .md "
                    + "and upload that.");
        }
        Element body = Jsoup.parse(html).body();
        body.select("script, style, noscript, template, svg, iframe, object").remove();
        StringBuilder out = new StringBuilder();
        body.traverse(new NodeVisitor() {
            @Override
            public void head(Node node, int depth) {
                if (node instanceof TextNode text) {
                    out.append(text.text());
                } else if (node instanceof Element element) {
                    String tag = element.normalName();
                    if (tag.length() == 2 && tag.charAt(0) == 'h' && Character.isDigit(tag.charAt(1))) {
                        out.append("\n\n").append("#".repeat(Math.min(6, tag.charAt(1) - '0'))).append(' ');
                    } else if (HTML_BLOCKS.contains(tag)) {
                        out.append("\n\n");
                    }
                }
            }

            @Override
            public void tail(Node node, int depth) {
                if (node instanceof Element element && (element.normalName().matches("h[1-6]")
                        || HTML_BLOCKS.contains(element.normalName()))) {
                    out.append("\n\n");
                }
            }
        });
        return out.toString().replaceAll("[ \\t\\x0B\\f]+", " ").replaceAll(" *\\n *", "\n")
                .replaceAll("\\n{3,}", "\n\n");
    }

    /** How many elements {@code html} opens, counted (over, never under) without parsing it. */
    private static int elements(String html) {
        int elements = 0;
        for (int at = html.indexOf('<'); at >= 0 && at + 1 < html.length(); at = html.indexOf('<', at + 1)) {
            char next = html.charAt(at + 1);
            if (next >= 'a' && next <= 'z' || next >= 'A' && next <= 'Z') {
                elements++;
            }
        }
        return elements;
    }
}
