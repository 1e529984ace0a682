package io.tenantry.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless Chromium driven by Selenium, against the test server. Each browser has
 * a fresh profile (so its own cookies and local storage); screenshots go to
 * target/screenshots.
 */
public final class Browser implements AutoCloseable {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Path SCREENSHOTS = Path.of("target", "screenshots");

    private final ChromeDriver driver;
    private final Path profile;
    private final String base;
    private final WebDriverWait wait;

    private Browser(int port, int width, int height) throws IOException {
        profile = Files.createTempDirectory("tenantry-chromium-");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                "--user-data-dir=" + profile, "--window-size=" + width + "," + height);
        // The console's messages, for consoleErrors().
        options.setCapability("goog:loggingPrefs", java.util.Map.of("browser", "ALL"));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).build();
        driver = new ChromeDriver(service, options);
        base = "http://127.0.0.1:" + port;
        // Lit re-renders replace elements under a wait: a stale element means "look again".
        // Polls often: the default half second would dominate every timing taken with it.
        wait = new WebDriverWait(driver, Duration.ofSeconds(10), Duration.ofMillis(20));
        wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class);
    }

    public static Browser open(int port) throws IOException {
        return new Browser(port, 1280, 900);
    }

    /** A phone-sized window. */
    public static Browser phone(int port) throws IOException {
        return new Browser(port, 390, 844);
    }

    /** An empty page, so that the next {@link #go} loads the dashboard afresh. */
    public void blank() {
        driver.get("about:blank");
    }

    public Browser go(String path) {
        driver.get(base + path);
        return this;
    }

    public WebElement find(String css) {
        try {
            return wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(css)));
        } catch (org.openqa.selenium.TimeoutException e) {
            throw failure("no visible " + css, e);
        }
    }

    public List<WebElement> all(String css) {
        return driver.findElements(By.cssSelector(css));
    }

    /** Waits until an element matching {@code css} contains {@code text}; answers it. */
    public WebElement findWithText(String css, String text) {
        try {
            return wait.until(d -> d.findElements(By.cssSelector(css)).stream()
                    .filter(e -> e.getText().contains(text)).findFirst().orElse(null));
        } catch (org.openqa.selenium.TimeoutException e) {
            throw failure("no " + css + " containing '" + text + "'", e);
        }
    }

    /** What the page showed when a wait failed: its text in the message, a screenshot on disk. */
    private AssertionError failure(String what, Exception cause) {
        String shot;
        try {
            shot = screenshot("failure-" + System.currentTimeMillis()).toString();
        } catch (IOException | RuntimeException e) {
            shot = "no screenshot: " + e.getMessage();
        }
        String page = driver.findElement(By.tagName("body")).getText();
        return new AssertionError(what + " at " + url() + " (" + shot + "); the page read:\n"
                + page.substring(0, Math.min(page.length(), 2000)), cause);
    }

    public void waitUntilGone(String css, String text) {
        wait.until(d -> d.findElements(By.cssSelector(css)).stream().noneMatch(e -> e.getText().contains(text)));
    }

    public void type(String css, String text) {
        WebElement field = find(css);
        field.clear();
        field.sendKeys(text);
    }

    public void click(String css) {
        wait.until(ExpectedConditions.elementToBeClickable(By.cssSelector(css))).click();
    }

    public void clickButton(String label) {
        wait.until(ExpectedConditions.elementToBeClickable(By.xpath(
                "//button[normalize-space(.)='" + label + "']"))).click();
    }

    /** Picks the choice labelled {@code label} in the dashboard's dialog, and waits for it to close. */
    public void choose(String label) {
        wait.until(ExpectedConditions.elementToBeClickable(By.xpath(
                "//dialog[@open]//button[normalize-space(.)='" + label + "']"))).click();
        wait.until(d -> d.findElements(By.cssSelector("dialog[open]")).isEmpty());
    }

    /** Confirms in the dashboard's confirmation dialog, and waits for it to close. */
    public void acceptConfirmation() {
        click("dialog[open] button.confirm");
        wait.until(d -> d.findElements(By.cssSelector("dialog[open]")).isEmpty());
    }

    public String text(String css) {
        return find(css).getText();
    }

    public Object script(String code, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(code, args);
    }

    public void back() {
        driver.navigate().back();
    }

    public void reload() {
        driver.navigate().refresh();
    }

    public String url() {
        return driver.getCurrentUrl();
    }

    /** Saves a PNG of the window as target/screenshots/{name}.png. */
    public Path screenshot(String name) throws IOException {
        Files.createDirectories(SCREENSHOTS);
        Path file = SCREENSHOTS.resolve(name + ".png");
        Files.write(file, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
        return file;
    }

    /** Waits up to ten seconds for {@code condition}, failing with {@code what} if it never holds. */
    public void waitUntil(String what, java.util.function.BooleanSupplier condition) {
        wait.withMessage(what).until(d -> condition.getAsBoolean());
    }

    /**
     * The errors the page's console showed since the last call (uncaught exceptions, failed
     * requests, console.error), each as Chromium wrote it.
     */
    public List<String> consoleErrors() {
        return driver.manage().logs().get(org.openqa.selenium.logging.LogType.BROWSER).getAll().stream()
                .filter(entry -> entry.getLevel().intValue() >= java.util.logging.Level.SEVERE.intValue())
                .map(org.openqa.selenium.logging.LogEntry::getMessage).toList();
    }

    @Override
    public void close() throws IOException {
        driver.quit();
        try (var files = Files.walk(profile)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }
}
