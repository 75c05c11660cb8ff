package io.hybridgrid.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.logging.Level;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in Debian's chromium (headless, driven by chromedriver through Selenium, both paths
 * given so Selenium Manager never downloads anything), against the real dist/ processes: a worker
 * that joins appears without a reload within 2 s; a Lua build moves the task counts, the charts and
 * the build view; a worker that leaves mid-build is shown as gone; the page logs no console errors.
 * Screenshots at a laptop (1440×900) and a wall (2560×1440) size are kept in
 * target/dashboard-screenshots.
 */
class DashboardBrowserIT {
  static final Path DIST = Path.of(System.getProperty("hg.dist", "../dist")).toAbsolutePath();
  static final Path ROOT = Path.of(System.getProperty("hg.root", "..")).toAbsolutePath();
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  static final Path SHOTS = Path.of("target", "dashboard-screenshots").toAbsolutePath();
  static final Dimension LAPTOP = new Dimension(1440, 900);
  static final Dimension WALL = new Dimension(2560, 1440);

  private static ChromeDriver browser(Path profile) {
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(CHROMEDRIVER.toFile())
            .usingAnyFreePort()
            .build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--hide-scrollbars",
        "--user-data-dir=" + profile);
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    return new ChromeDriver(service, options);
  }

  private static void until(
      WebDriver d, Duration timeout, String what, java.util.function.BooleanSupplier ok) {
    // The page re-renders its tables on every push: an element found just before a push is stale
    // just after it, so a stale read is retried at the next poll, not a failure.
    new WebDriverWait(d, timeout, Duration.ofMillis(100))
        .withMessage(what)
        .ignoring(org.openqa.selenium.StaleElementReferenceException.class)
        .until(x -> ok.getAsBoolean());
  }

  /** Read in one script, so a re-render between finding the row and reading it cannot interfere. */
  private static String workerState(WebDriver d, String id) {
    return workerAttribute(d, id, "data-state");
  }

  private static String workerAttribute(WebDriver d, String id, String attribute) {
    Object state =
        ((org.openqa.selenium.JavascriptExecutor) d)
            .executeScript(
                "const r = document.querySelector(\"#workers tr[data-worker='\" + arguments[0]"
                    + " + \"']\"); return r ? r.getAttribute(arguments[1]) : null;",
                id,
                attribute);
    return state == null ? null : state.toString();
  }

  private static long number(WebDriver d, String id) {
    Object text =
        ((org.openqa.selenium.JavascriptExecutor) d)
            .executeScript(
                "const e = document.getElementById(arguments[0]); return e ? e.textContent : '';",
                id);
    String v = String.valueOf(text).trim();
    return v.matches("\\d+") ? Long.parseLong(v) : -1;
  }

  private static void shot(ChromeDriver d, String name, Dimension size) throws Exception {
    Dimension before = d.manage().window().getSize();
    d.manage().window().setSize(size);
    Thread.sleep(
        1500); // let the page re-lay out and the next snapshot land (a picture, not a wait)
    Files.createDirectories(SHOTS);
    Files.write(SHOTS.resolve(name + ".png"), d.getScreenshotAs(OutputType.BYTES));
    d.manage().window().setSize(before);
  }

  @Test
  void joinBuildLeaveWithoutReload(@TempDir Path tmp) throws Exception {
    Assumptions.assumeTrue(
        Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
        "chromium and chromedriver not installed (Debian: chromium chromium-driver)");
    Optional<Path> src = Workloads.unpack(ROOT, "lua-5.4.4.tar.gz", "lua5.4", tmp);
    Assumptions.assumeTrue(src.isPresent(), "Lua 5.4.4 sources not available");
    Path lua = src.get();
    try (LoopbackGrid grid =
            new LoopbackGrid(
                DIST, 1, List.of("--task-log", tmp.resolve("tasks.jsonl").toString()), List.of());
        PrivateDaemon daemon = new PrivateDaemon(DIST)) {
      ChromeDriver d = browser(tmp.resolve("chrome-profile"));
      try {
        d.manage().window().setSize(LAPTOP);
        d.get(grid.httpBase() + "/");
        until(
            d,
            Duration.ofSeconds(10),
            "worker-1 listed",
            () -> "active".equals(workerState(d, "worker-1")));
        // The coordinator's breaker for the worker, as /api/v1/workers reports it.
        assertEquals("closed", workerAttribute(d, "worker-1", "data-circuit"));
        until(
            d,
            Duration.ofSeconds(5),
            "stream live",
            () -> d.findElement(By.id("conn")).getText().equals("live"));

        // A worker joins: on the page within 2 s of registering, without a reload.
        grid.addWorker("worker-2", List.of());
        grid.awaitWorkers(2, Duration.ofSeconds(60));
        Instant registered = Instant.now();
        until(
            d,
            Duration.ofSeconds(2),
            "worker-2 shown within 2 s",
            () -> "active".equals(workerState(d, "worker-2")));
        System.out.println(
            "worker-2 on the page "
                + Duration.between(registered, Instant.now()).toMillis()
                + " ms after the API listed it");

        // A build moves the counts, the running tasks and the charts.
        Map<String, String> env =
            daemon.env(
                Map.of(
                    "HG_COORDINATOR", grid.coordinator(),
                    "HG_CC", "gcc -std=gnu99",
                    "HG_CACHE_DIR", tmp.resolve("cache").toString()));
        CompletableFuture<Shell.Result> build =
            CompletableFuture.supplyAsync(
                () -> {
                  try {
                    return Shell.run(lua, env, grid.hgbuild() + " make -C src posix -j8 2>&1", 900);
                  } catch (Exception e) {
                    throw new IllegalStateException(e);
                  }
                });
        until(
            d,
            Duration.ofSeconds(300),
            "tasks completed on the page",
            () -> number(d, "k-done") >= 8);
        assertTrue(
            Long.parseLong(d.findElement(By.id("chart-throughput")).getAttribute("data-tasks")) > 0,
            "the throughput chart plotted tasks");
        assertTrue(
            d.findElements(By.cssSelector("#tasks tbody tr[data-placement='remote']")).size() > 0);
        shot(d, "laptop-build-two-workers", LAPTOP);
        shot(d, "wall-build-two-workers", WALL);

        // A worker leaves mid-build: shown as gone; the build still finishes on the other.
        grid.stopWorker("worker-2");
        until(
            d,
            Duration.ofSeconds(10),
            "worker-2 shown as gone",
            () -> "gone".equals(workerState(d, "worker-2")));
        assertEquals("active", workerState(d, "worker-1"));
        shot(d, "laptop-worker-left", LAPTOP);
        shot(d, "wall-worker-left", WALL);

        Shell.Result r = build.get();
        assertEquals(0, r.exitCode(), r.output());
        until(d, Duration.ofSeconds(10), "34 tasks counted", () -> number(d, "k-done") >= 34);
        until(
            d,
            Duration.ofSeconds(10),
            "the build view lists the build",
            () -> d.findElements(By.cssSelector("#builds tbody tr")).size() == 1);
        shot(d, "laptop-build-done", LAPTOP);

        List<LogEntry> errors =
            d.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
                .collect(Collectors.toList());
        assertTrue(errors.isEmpty(), "console errors: " + errors);
        System.out.println("screenshots in " + SHOTS);
      } finally {
        d.quit();
      }
    }
  }
}
