package io.tenantry.knowledge;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;
import org.junit.jupiter.api.Test;

import io.tenantry.support.Api;
import io.tenantry.support.ServerTest;
import io.tenantry.support.TenantryTest;

import tools.jackson.databind.JsonNode;

/** Files uploaded into a knowledge base: each kind's text, and what is refused (nothing stored). */
@TenantryTest
class KnowledgeUploadTest extends ServerTest {

    Api.Response upload(String org, String name, byte[] content, Map<String, String> fields) {
        return api.post("/api/knowledge/documents/upload").org(org).as(owner).file(name, content, fields).send();
    }

    List<String> found(String org, String q) {
        return api.get("/api/knowledge/search?q=" + q).org(org).as(owner).send().expect(200).items().stream()
                .map(h -> h.path("documentId").asString()).distinct().toList();
    }

    List<JsonNode> chunks(String id) {
        return api.get("/api/knowledge/documents/" + id + "/chunks?limit=100").as(owner).send().expect(200).items();
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] pdf(String line) throws IOException {
        try (PDDocument document = new PDDocument(); ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            PDPage page = new PDPage();
            document.addPage(page);
            try (PDPageContentStream stream = new PDPageContentStream(document, page)) {
                stream.beginText();
                stream.setFont(new PDType1Font(Standard14Fonts.FontName.HELVETICA), 12);
                stream.newLineAtOffset(72, 700);
                stream.showText(line);
                stream.endText();
            }
            document.save(out);
            return out.toByteArray();
        }
    }

    @Test
    void sharedIsTrueOrFalseAndNothingElse() {
        String org = platform.createOrg("Loose flags");
        for (String loose : List.of("on", "yes", "1", "TRUE", "")) {
            Api.Response refused = api.post("/api/knowledge/documents/upload?shared=" + loose).org(org).as(owner)
                    .file("f.txt", utf8("hello"), Map.of()).send();
            assertThat(refused.status()).as(loose + ": " + refused).isEqualTo(400);
            assertThat(refused.text("field")).isEqualTo("shared");
        }
        assertThat(api.get("/api/knowledge/documents").org(org).as(owner).send().expect(200).items()).isEmpty();
        assertThat(upload(org, "f.txt", utf8("hello"), Map.of("shared", "false")).expect(201).json().path("shared")
                .asBoolean()).isFalse();
    }

    @Test
    void aFilePartWithoutAFileNameIsToldSo() {
        Api.Response refused = api.post("/api/knowledge/documents/upload").org(platform.createOrg("No file name"))
                .as(owner).raw(utf8("--x\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nhello\r\n--x--\r\n"),
                        "multipart/form-data; boundary=x").send();
        assertThat(refused.status()).as(refused.toString()).isEqualTo(400);
        assertThat(refused.text("field")).isEqualTo("file");
        assertThat(refused.text("detail")).contains("as a file part");
    }

    /**
     * The container would read a field or a file name that is not UTF-8 with U+FFFD in place of
     * its bad bytes, and store that: refused, naming the part, and nothing stored.
     */
    @Test
    void aFieldOrAFileNameThatIsNotUtf8IsRefusedNotAltered() {
        String org = platform.createOrg("Bad bytes");
        java.util.function.BiFunction<String, String, byte[]> form = (titleHex, fileNameHex) -> {
            java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
            java.util.HexFormat hex = java.util.HexFormat.of();
            body.writeBytes(utf8("--x\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nBad"));
            body.writeBytes(hex.parseHex(titleHex));
            body.writeBytes(utf8("Title\r\n--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"b"));
            body.writeBytes(hex.parseHex(fileNameHex));
            body.writeBytes(utf8("ad.txt\"\r\n\r\nhello\r\n--x--\r\n"));
            return body.toByteArray();
        };
        // 0xFF, an overlong '<', a surrogate; in the title, then in the file's name.
        for (String bad : List.of("ff", "c0bc", "eda080")) {
            Api.Response title = api.post("/api/knowledge/documents/upload").org(org).as(owner)
                    .raw(form.apply(bad, ""), "multipart/form-data; boundary=x").send();
            assertThat(title.status()).as(bad + ": " + title).isEqualTo(400);
            assertThat(title.text("field")).isEqualTo("title");
            Api.Response name = api.post("/api/knowledge/documents/upload").org(org).as(owner)
                    .raw(form.apply("", bad), "multipart/form-data; boundary=x").send();
            assertThat(name.status()).as(bad + ": " + name).isEqualTo(400);
            assertThat(name.text("field")).isEqualTo("file");
        }
        assertThat(api.get("/api/knowledge/documents").org(org).as(owner).send().expect(200).items()).isEmpty();
        assertThat(api.post("/api/knowledge/documents/upload").org(org).as(owner)
                .raw(form.apply("c3a9", "c3a9"), "multipart/form-data; boundary=x").send().expect(201)
                .text("title")).isEqualTo("Bad\u00e9Title");
    }

    @Test
    void anUploadedFileIsNamedWithoutTheFoldersSentWithItsName() {
        String org = platform.createOrg("Uploaded names");
        for (String sent : List.of("../../etc/notes.txt", "C:\\Users\\me\\notes.txt", "/notes.txt")) {
            Api.Response uploaded = upload(org, sent, utf8("notes"), Map.of()).expect(201);
            assertThat(uploaded.text("fileName")).as(sent).isEqualTo("notes.txt");
            assertThat(uploaded.text("title")).as(sent).isEqualTo("notes.txt");
        }
        upload(org, "folder/", utf8("notes"), Map.of()).expect(415);
    }

    @Test
    void markdownHtmlAndPdfAreReadForTheirText() throws IOException {
        String org = platform.createOrg("Uploads");
        Api.Response markdown = upload(org, "guide.md", utf8("# Returns\n\nItems come back via gnuparcel.\n"),
                Map.of("tags", "returns, Logistics", "source", "wiki")).expect(201);
        assertThat(markdown.text("title")).isEqualTo("guide.md");
        assertThat(markdown.text("contentType")).isEqualTo("text/markdown");
        assertThat(markdown.text("fileName")).isEqualTo("guide.md");
        assertThat(markdown.json().path("tags").toString()).isEqualTo("[\"returns\",\"logistics\"]");
        assertThat(found(org, "gnuparcel")).containsExactly(markdown.id());

        Api.Response html = upload(org, "page.html", utf8("<html><head><title>t</title><style>.x{}</style></head>"
                + "<body><h2>Opening hours</h2><p>We open at <b>ibexnine</b> o'clock.</p>"
                + "<script>var hidden = 'lemurscript';</script></body></html>"), Map.of("title", "Hours")).expect(201);
        assertThat(html.text("contentType")).isEqualTo("text/html");
        assertThat(chunks(html.id())).singleElement().satisfies(c -> {
            assertThat(c.path("heading").asString()).isEqualTo("Opening hours");
            assertThat(c.path("content").asString()).contains("We open at ibexnine o'clock.").doesNotContain("<");
        });
        assertThat(found(org, "lemurscript")).isEmpty();

        Api.Response pdf = upload(org, "Terms.PDF", pdf("Late fees are charged per pangolinday."), Map.of())
                .expect(201);
        assertThat(pdf.text("contentType")).isEqualTo("application/pdf");
        assertThat(found(org, "pangolinday")).containsExactly(pdf.id());
    }

    @Test
    void whatIsNotADocumentOfItsKindIsRefusedAndNothingIsStored() throws IOException {
        String org = platform.createOrg("Refused uploads");
        upload(org, "fake.pdf", utf8("just some text, not a PDF"), Map.of()).expect(400);
        upload(org, "broken.pdf", java.util.Arrays.copyOf(pdf("cut short"), 40), Map.of()).expect(400);
        upload(org, "binary.txt", new byte[] {'a', 0, 'b', 1, 2, 3}, Map.of()).expect(400);
        upload(org, "latin1.txt", "caf\u00e9".getBytes(StandardCharsets.ISO_8859_1), Map.of()).expect(400);
        upload(org, "program.exe", utf8("MZ"), Map.of()).expect(415);
        upload(org, "noname", utf8("text"), Map.of()).expect(415);
        upload(org, "empty.txt", new byte[0], Map.of()).expect(400);
        upload(org, "blank.md", utf8(" \n\n "), Map.of()).expect(400);
        upload(org, "big.txt", new byte[10 * 1024 * 1024 + 1], Map.of()).expect(413);
        upload(org, "tagged.txt", utf8("text"), Map.of("tags", "x".repeat(65))).expect(400);
        upload(org, "shared.txt", utf8("text"), Map.of("shared", "true")).expect(400);
        api.post("/api/knowledge/documents/upload").org(org).as(owner).file(null, null, Map.of("title", "no file"))
                .send().expect(400);
        assertThat(api.post("/api/knowledge/documents/upload").org(org).as(owner)
                .json(Map.of("title", "json", "content", "text")).send().expect(415).text("detail"))
                .isEqualTo("Send the file as multipart/form-data, in a part named file.");
        // Sent empty, it is told the same: not to send JSON, which it takes none of.
        for (Api.Response empty : List.of(api.post("/api/knowledge/documents/upload").org(org).as(owner).send(),
                api.post("/api/knowledge/documents/upload").org(org).as(owner).raw("").send())) {
            assertThat(empty.expect(415).text("detail"))
                    .isEqualTo("Send the file as multipart/form-data, in a part named file.");
        }
        upload(org, "unknown.txt", utf8("text"), Map.of("contentType", "text/html")).expect(400);
        api.post("/api/knowledge/documents/upload?title=one").org(org).as(owner).file("twice.txt", utf8("text"),
                Map.of("title", "two")).send().expect(400);
        upload(org, "a\u0000b.txt", utf8("text"), Map.of()).expect(400);
        assertThat(upload(org, "notes.txt", pdf("disguised"), Map.of()).expect(400).text("detail"))
                .contains("a PDF named as text");
        assertThat(upload(org, "ansi.txt", utf8("ctl\u001b[31m red\u007f"), Map.of()).expect(400).text("detail"))
                .contains("control characters (U+001B at character 4)");
        assertThat(upload(org, "c1.md", utf8("next\u0085line"), Map.of()).expect(400).text("detail"))
                .contains("U+0085");
        assertThat(upload(org, "long.txt", utf8("text"), Map.of("n".repeat(300), "x")).expect(400).text("field"))
                .isEqualTo("n".repeat(64) + "…");
        assertThat(upload(org, "longer.txt", utf8("text"), Map.of("n".repeat(1_000), "x")).expect(400)
                .text("detail")).isEqualTo("A part of the form has headers longer than the server reads: shorten its "
                        + "name or its file name.");
        assertThat(api.get("/api/knowledge/documents").org(org).as(owner).send().expect(200).itemIds()).isEmpty();
    }

    /**
     * Ten megabytes of bare tags took a core for a minute to parse into no text (outside
     * tester): an HTML file of more elements than a page holds is refused before it is parsed.
     */
    @Test
    void anHtmlFileOfMoreElementsThanAPageHoldsIsRefused() {
        String org = platform.createOrg("Markup bombs");
        Api.Response refused = upload(org, "divs.html", utf8("<div>".repeat(2_000_000)), Map.of()).expect(413);
        assertThat(refused.text("detail")).contains("more than 100,000 elements");
        upload(org, "nested.html", utf8("<div>".repeat(100_001) + "text"), Map.of()).expect(413);
        assertThat(api.get("/api/knowledge/documents").org(org).as(owner).send().expect(200).itemIds()).isEmpty();

        String id = upload(org, "long.html", utf8("<ul>" + "<li>item</li>".repeat(99_000) + "</ul><p>ocelotpage</p>"),
                Map.of()).expect(201).id();
        assertThat(found(org, "ocelotpage")).containsExactly(id);
    }

    /** Tabs, line breaks of every platform and page breaks are what text files hold: kept (a page break as a space). */
    @Test
    void tabsLineBreaksAndPageBreaksOfTextFilesAreKept() {
        String org = platform.createOrg("Plain text");
        String id = upload(org, "table.txt", utf8("a\tb\r\nc\fd"), Map.of()).expect(201).id();
        assertThat(api.get("/api/knowledge/documents/" + id).as(owner).send().expect(200).text("content"))
                .isEqualTo("a\tb\nc d");
    }

    /** A PDF that expands far beyond its size, or is drawn over and over, is refused in bounded time and memory. */
    @Test
    void aPdfThatExpandsWithoutEndIsRefused() throws IOException {
        String org = platform.createOrg("PDF bombs");
        try (PDDocument document = new PDDocument(); ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            PDPage page = new PDPage();
            document.addPage(page);
            try (PDPageContentStream stream = new PDPageContentStream(document, page)) {
                stream.setFont(new PDType1Font(Standard14Fonts.FontName.HELVETICA), 12);
                // Eleven million characters of text, compressed to a few kilobytes.
                for (int i = 0; i < 110_000; i++) {
                    stream.beginText();
                    stream.newLineAtOffset(72, 700);
                    stream.showText("word ".repeat(20));
                    stream.endText();
                }
            }
            document.save(out);
            assertThat(out.size()).isLessThan(2 * 1024 * 1024);
            Api.Response refused = upload(org, "bomb.pdf", out.toByteArray(), Map.of()).expect(400);
            assertThat(refused.text("detail")).contains("more text than any page");
        }
        assertThat(api.get("/api/knowledge/documents").org(org).as(owner).send().expect(200).itemIds()).isEmpty();
    }

    @Test
    void charactersThatHideOrReorderTextAreDroppedFromUploads() {
        String org = platform.createOrg("Invisible characters");
        String id = upload(org, "spoof.txt", utf8("pay \u202Eotni\u202C to acc\u200Bount 42"), Map.of()).expect(201)
                .id();
        assertThat(api.get("/api/knowledge/documents/" + id).as(owner).send().expect(200).text("content"))
                .isEqualTo("pay otni to account 42");
    }
}
