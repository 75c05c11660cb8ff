package io.hybridgrid.coord.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connectivity events: the last {@code capacity} in memory, and (unless in-memory only) every one
 * appended as a JSON line to a file that is reloaded on start, so the history survives a restart.
 *
 * <p>Each line is one object: {@code {"time":"2024-05-01T10:00:00Z","type":"join",
 * "worker":"w1","host":"h1","reason":"..."}}. The file is append-only while it has fewer than
 * {@code 2 × capacity} lines; at that size it is rewritten (to a temporary file, then atomically
 * renamed over it) with the last {@code capacity} events, so it stays bounded. A line that does not
 * parse (a write torn by a crash) is skipped on load, and a torn last line is ended so the next
 * event starts on a line of its own. Thread-safe.
 */
public final class EventLog implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EventLog.class);

  /** Events kept by default. */
  public static final int DEFAULT_CAPACITY = 1000;

  private final Path file;
  private final int capacity;
  private final ObjectMapper json = new ObjectMapper();

  // @GuardedBy("this")
  private final Deque<ConnectivityEvent> recent = new ArrayDeque<>();
  // @GuardedBy("this")
  private BufferedWriter out;
  // @GuardedBy("this")
  private int fileLines;

  private EventLog(Path file, int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("event capacity must be at least 1, not " + capacity);
    }
    this.file = file;
    this.capacity = capacity;
  }

  /** A log kept in memory only (lost on restart). */
  public static EventLog inMemory(int capacity) {
    return new EventLog(null, capacity);
  }

  /** A log persisted in {@code file} (created with its directory on {@link #start()}). */
  public static EventLog persistent(Path file, int capacity) {
    return new EventLog(file, capacity);
  }

  /** Loads the events already in the file and opens it for appending. */
  public synchronized EventLog start() throws IOException {
    if (file == null) {
      return this;
    }
    try {
      load();
    } catch (IOException e) {
      throw new IOException("cannot use the event log " + file + ": " + e, e);
    }
    return this;
  }

  private void load() throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    if (Files.exists(file)) {
      int skipped = 0;
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        if (line.isBlank()) {
          continue;
        }
        fileLines++;
        try {
          remember(parse(line));
        } catch (IOException | RuntimeException e) {
          skipped++;
        }
      }
      if (skipped > 0) {
        log.warn("{}: skipped {} unreadable event lines", file, skipped);
      }
    }
    out = open();
    if (endsMidLine()) {
      out.write('\n'); // a write torn by a crash: start the next event on its own line
      out.flush();
    }
  }

  private boolean endsMidLine() throws IOException {
    try (var ch = Files.newByteChannel(file)) {
      long size = ch.size();
      if (size == 0) {
        return false;
      }
      ByteBuffer last = ByteBuffer.allocate(1);
      ch.position(size - 1).read(last);
      return last.get(0) != '\n';
    }
  }

  /** Appends an event. A failing write is logged; the event stays in memory. */
  public synchronized void record(ConnectivityEvent e) {
    if (out == null) {
      remember(e);
      return;
    }
    try {
      if (fileLines >= 2 * capacity) {
        compact();
      }
    } catch (IOException ex) {
      log.warn("cannot compact {}: {}", file, ex.toString());
    }
    remember(e);
    try {
      out.write(json.writeValueAsString(toJson(e)));
      out.write('\n');
      out.flush();
      fileLines++;
    } catch (IOException ex) {
      log.warn("cannot write connectivity event to {}: {}", file, ex.toString());
    }
  }

  /** The last {@code limit} events (at most the capacity), oldest first. */
  public synchronized List<ConnectivityEvent> recent(int limit) {
    List<ConnectivityEvent> all = new ArrayList<>(recent);
    int from = Math.max(0, all.size() - Math.max(0, limit));
    return List.copyOf(all.subList(from, all.size()));
  }

  /** The file, or null when in memory only. */
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

  private void remember(ConnectivityEvent e) {
    recent.addLast(e);
    while (recent.size() > capacity) {
      recent.removeFirst();
    }
  }

  /** Rewrites the file with the events in memory, atomically. */
  private void compact() throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
      for (ConnectivityEvent e : recent) {
        w.write(json.writeValueAsString(toJson(e)));
        w.write('\n');
      }
    }
    out.close();
    try {
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      fileLines = recent.size();
    } finally {
      out = open();
    }
  }

  private BufferedWriter open() throws IOException {
    return Files.newBufferedWriter(
        file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }

  private ObjectNode toJson(ConnectivityEvent e) {
    ObjectNode o = json.createObjectNode();
    o.put("time", e.time().toString());
    o.put("type", e.type().wireName());
    o.put("worker", e.workerId());
    o.put("host", e.hostname());
    o.put("reason", e.reason());
    return o;
  }

  private ConnectivityEvent parse(String line) throws IOException {
    JsonNode o = json.readTree(line);
    return new ConnectivityEvent(
        Instant.parse(o.get("time").asText()),
        ConnectivityEvent.Type.parse(o.get("type").asText()),
        o.get("worker").asText(),
        o.path("host").asText(""),
        o.path("reason").asText(""));
  }
}
