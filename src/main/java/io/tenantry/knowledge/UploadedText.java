package io.tenantry.knowledge;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.apache.pdfbox.Loader;
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
        String text = switch (kind) {
            case "application/pdf" -> pdf(bytes);
            case "text/html" -> html(utf8(bytes));
            default -> utf8(bytes);
        };
        text = text.replace("\r\n", "\n").replace('\r', '\n').replaceAll("[\\p{Cc}&&[^\\n\\t]]", " ").strip();
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

    /** Strict UTF-8 (a byte-order mark dropped), refusing what is not text at all. */
    private static String utf8(byte[] bytes) {
        for (byte b : bytes) {
            if (b == 0) {
                throw ApiException.badRequest("file", "The file is not text: it holds binary data (NUL bytes).");
            }
        }
        try {
            String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
            return text.startsWith("\uFEFF") ? text.substring(1) : text;
        } catch (CharacterCodingException e) {
            throw ApiException.badRequest("file", "The file is not UTF-8 text; save it as UTF-8 and upload it again.");
        }
    }

    private static String pdf(byte[] bytes) {
        if (bytes.length < 5 || !new String(bytes, 0, 5, StandardCharsets.US_ASCII).equals("%PDF-")) {
            throw ApiException.badRequest("file", "The file is named .pdf but is not a PDF.");
        }
        try (PDDocument document = Loader.loadPDF(bytes)) {
            if (document.isEncrypted()) {
                throw ApiException.badRequest("file", "The PDF is encrypted; upload a copy without a password.");
            }
            PDFTextStripper stripper = new PDFTextStripper();
            stripper.setParagraphEnd("\n\n");
            return stripper.getText(document);
        } catch (IOException e) {
            throw ApiException.badRequest("file", "The PDF cannot be read: it is damaged or not a PDF.");
        }
    }

    /** HTML's text: scripts and styles dropped, headings as Markdown headings, blocks as paragraphs. */
    static String html(String html) {
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
}
