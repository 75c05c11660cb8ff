package io.hybridgrid.coord.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The optional task log: one JSON line per finished compile, appended to {@code file}. When the
 * file passes {@code maxBytes} it is renamed to {@code file.1} (older ones shift to {@code .2} … up
 * to {@code keep}, the oldest is deleted) and a new file is started, so the log never holds more
 * than about {@code (keep + 1) × maxBytes}. A line that does not parse (torn by a crash) is skipped
 * when read. Thread-safe.
 *
 * <p>A line: {@code {"time":"2026-11-30T19:00:00.123Z","file":"lapi.c","client":"ann",
 * "build":"b-1","worker":"w1","placement":"remote","outcome":"success","ms":812.5,
 * "queue_ms":0.4,"bytes_in":182734,"bytes_out":40312}}.
 */
public final class TaskLog implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TaskLog.class);

  private final Path file;
  private final long maxBytes;
  private final int keep;
  private final ObjectMapper json = new ObjectMapper();

  // @GuardedBy("this")
  private BufferedWriter out;
  // @GuardedBy("this")
  private long size;

  /**
   * @param file the current log file (its directory is created on {@link #start()})
   * @param maxBytes rotate when the file passes this size (at least 4 KiB)
   * @param keep rotated files to keep (at least 1)
   */
  public TaskLog(Path file, long maxBytes, int keep) {
    if (maxBytes < 4096) {
      throw new IllegalArgumentException(
          "task log size must be at least 4K, not " + maxBytes + " bytes");
    }
    if (keep < 1) {
      throw new IllegalArgumentException("task log must keep at least 1 rotated file, not " + keep);
    }
    this.file = file;
    this.maxBytes = maxBytes;
    this.keep = keep;
  }

  /** Opens the file for appending. */
  public synchronized TaskLog start() throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    out = open();
    size = Files.size(file);
    return this;
  }

  /** Every readable record, oldest first (rotated files, then the current one). */
  public synchronized void readAll(Consumer<TaskRecord> sink) {
    for (int i = keep; i >= 0; i--) {
      Path f = i == 0 ? file : rotated(i);
      if (!Files.exists(f)) {
        continue;
      }
      try (BufferedReader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
        String line;
        while ((line = r.readLine()) != null) {
          if (line.isBlank()) {
            continue;
          }
          try {
            sink.accept(parse(line));
          } catch (IOException | RuntimeException e) {
            // a torn line: skipped
          }
        }
      } catch (IOException e) {
        log.warn("cannot read task log {}: {}", f, e.toString());
      }
    }
  }

  /** Appends a record; a failing write is logged and the record dropped from the file. */
  public synchronized void append(TaskRecord t) {
    if (out == null) {
      return;
    }
    try {
      byte[] line =
          (json.writeValueAsString(toJson(json, t)) + "\n").getBytes(StandardCharsets.UTF_8);
      if (size > 0 && size + line.length > maxBytes) {
        rotate();
      }
      out.write(new String(line, StandardCharsets.UTF_8));
      out.flush();
      size += line.length;
    } catch (IOException e) {
      log.warn("cannot write task log {}: {}", file, e.toString());
    }
  }

  /** The current file. */
  public Path file() {
    return file;
  }

  @Override
  public synchronized void close() {
    if (out != null) {
      try {
        out.close();
      } catch (IOException e) {
        log.warn("closing {}: {}", file, e.toString());
      }
      out = null;
    }
  }

  private void rotate() throws IOException {
    out.close();
    Files.deleteIfExists(rotated(keep));
    for (int i = keep - 1; i >= 1; i--) {
      if (Files.exists(rotated(i))) {
        Files.move(rotated(i), rotated(i + 1), StandardCopyOption.ATOMIC_MOVE);
      }
    }
    Files.move(file, rotated(1), StandardCopyOption.ATOMIC_MOVE);
    out = open();
    size = 0;
  }

  private Path rotated(int i) {
    return file.resolveSibling(file.getFileName() + "." + i);
  }

  private BufferedWriter open() throws IOException {
    return Files.newBufferedWriter(
        file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }

  /**
   * One finished task as JSON, the same for the log's lines and the HTTP API ({@code
   * /api/v1/tasks}), so the two never disagree on a field.
   */
  public static ObjectNode toJson(ObjectMapper json, TaskRecord t) {
    ObjectNode o = json.createObjectNode();
    o.put("time", t.finished().toString());
    o.put("file", t.file());
    o.put("client", t.client());
    o.put("build", t.buildId());
    o.put("worker", t.worker());
    o.put("placement", t.placement());
    o.put("outcome", t.outcome());
    o.put("ms", Math.round(t.durationMillis() * 10) / 10.0);
    o.put("queue_ms", Math.round(t.queueMillis() * 10) / 10.0);
    o.put("bytes_in", t.bytesIn());
    o.put("bytes_out", t.bytesOut());
    return o;
  }

  private TaskRecord parse(String line) throws IOException {
    JsonNode o = json.readTree(line);
    return new TaskRecord(
        Instant.parse(o.get("time").asText()),
        o.path("file").asText(""),
        o.path("client").asText(""),
        o.path("build").asText(""),
        o.path("worker").asText(""),
        o.get("placement").asText(),
        o.get("outcome").asText(),
        o.path("ms").asDouble(),
        o.path("queue_ms").asDouble(),
        o.path("bytes_in").asLong(),
        o.path("bytes_out").asLong());
  }

  /** Reads every record of a log (for tests and tools). */
  public static List<TaskRecord> read(Path file, int keep) {
    List<TaskRecord> all = new ArrayList<>();
    new TaskLog(file, 4096, keep).readAll(all::add);
    return all;
  }
}
