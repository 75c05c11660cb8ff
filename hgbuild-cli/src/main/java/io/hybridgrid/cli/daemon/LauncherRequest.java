package io.hybridgrid.cli.daemon;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a launcher asks of the daemon, decoded and validated.
 *
 * @param kind compile, or one of the control requests
 * @param coordinator the {@code -C} flag, or null
 * @param noFallback {@code --no-fallback} was given
 * @param verbose {@code -v} was given
 * @param argv the compiler and its arguments (empty for control requests)
 * @param cwd the launcher's working directory (null for control requests)
 * @param env the launcher's whole environment
 */
public record LauncherRequest(
    Kind kind,
    String coordinator,
    boolean noFallback,
    boolean verbose,
    List<String> argv,
    Path cwd,
    Map<String, String> env) {

  /** The protocol version this daemon speaks; the launcher sends its own in the hello frame. */
  public static final int PROTOCOL_VERSION = 1;

  /** Largest request accepted (all frames): a command line plus an environment fit easily. */
  static final long MAX_REQUEST_BYTES = 64L << 20;

  /** What the launcher wants; the number is its code in the hello frame. */
  public enum Kind {
    COMPILE(1),
    PING(2),
    STATUS(3),
    STOP(4);

    final int code;

    Kind(int code) {
      this.code = code;
    }

    static Kind of(int code) throws ProtocolException {
      for (Kind k : values()) {
        if (k.code == code) {
          return k;
        }
      }
      throw new ProtocolException("unknown request kind " + code + " in the hello frame");
    }
  }

  public LauncherRequest {
    argv = List.copyOf(argv);
    env = Map.copyOf(env);
    if (kind == Kind.COMPILE) {
      if (argv.isEmpty()) {
        throw new IllegalArgumentException("a compile request needs the compiler and arguments");
      }
      if (cwd == null || !cwd.isAbsolute()) {
        throw new IllegalArgumentException(
            "a compile request needs an absolute working directory, not " + cwd);
      }
    }
  }

  /** The hello frame's payload for {@code kind}. */
  static byte[] hello(Kind kind) {
    return ByteBuffer.allocate(5).putInt(PROTOCOL_VERSION).put((byte) kind.code).array();
  }

  /**
   * Reads one request: a hello frame, then (for a compile) its fields, then the end frame.
   *
   * @throws ProtocolException naming what is wrong with the frames
   */
  static LauncherRequest read(FrameReader reader) throws IOException {
    Frame hello;
    try {
      hello = reader.next();
    } catch (EOFException e) {
      throw new ProtocolException("connection closed before the hello frame");
    }
    if (hello.type() != Frame.HELLO || hello.payload().length != 5) {
      throw new ProtocolException(
          "a request starts with a 5-byte hello frame ('H'), not a "
              + hello.payload().length
              + "-byte frame of type "
              + Frame.describe(hello.type()));
    }
    ByteBuffer h = ByteBuffer.wrap(hello.payload());
    int version = h.getInt();
    if (version != PROTOCOL_VERSION) {
      throw new ProtocolException(
          "the launcher speaks protocol version "
              + version
              + " and this daemon version "
              + PROTOCOL_VERSION
              + "; they come from different builds: stop the daemon with `hgbuild daemon --stop`");
    }
    Kind kind = Kind.of(h.get() & 0xff);
    String coordinator = null;
    int flags = 0;
    Path cwd = null;
    List<String> argv = new ArrayList<>();
    Map<String, String> env = new HashMap<>();
    for (; ; ) {
      Frame f;
      try {
        f = reader.next();
      } catch (EOFException e) {
        throw new ProtocolException("connection closed before the end of the request ('Z')");
      }
      if (f.type() == Frame.END) {
        break;
      }
      if (kind != Kind.COMPILE) {
        throw new ProtocolException(
            "a "
                + kind
                + " request has no fields, but frame "
                + Frame.describe(f.type())
                + " came");
      }
      switch (f.type()) {
        case Frame.COORDINATOR -> coordinator = f.text();
        case Frame.FLAGS -> {
          if (f.payload().length != 1) {
            throw new ProtocolException("the flags frame ('F') holds 1 byte");
          }
          flags = f.payload()[0];
        }
        case Frame.CWD -> {
          if (cwd != null) {
            throw new ProtocolException("the working directory ('W') came twice");
          }
          try {
            cwd = Path.of(f.text());
          } catch (InvalidPathException e) {
            throw new ProtocolException("working directory '" + f.text() + "' is not a path");
          }
          if (!cwd.isAbsolute()) {
            throw new ProtocolException("working directory '" + f.text() + "' is not absolute");
          }
        }
        case Frame.ARG -> argv.add(f.text());
        case Frame.ENV -> {
          String entry = f.text();
          int eq = entry.indexOf('=');
          if (eq <= 0) {
            throw new ProtocolException(
                "environment entry '" + abbreviate(entry) + "' is not NAME=VALUE");
          }
          env.put(entry.substring(0, eq), entry.substring(eq + 1));
        }
        default ->
            throw new ProtocolException(
                "unknown frame type " + Frame.describe(f.type()) + " in a compile request");
      }
    }
    if (kind == Kind.COMPILE && argv.isEmpty()) {
      throw new ProtocolException("a compile request has no compiler (no 'A' frame)");
    }
    if (kind == Kind.COMPILE && cwd == null) {
      throw new ProtocolException("a compile request has no working directory (no 'W' frame)");
    }
    return new LauncherRequest(
        kind, coordinator, (flags & 1) != 0, (flags & 2) != 0, argv, cwd, env);
  }

  /** The frames of this request, as the native launcher sends them (used by Java clients). */
  void write(FrameWriter w) throws IOException {
    w.write(Frame.HELLO, hello(kind));
    if (kind == Kind.COMPILE) {
      if (coordinator != null) {
        w.write(Frame.COORDINATOR, coordinator);
      }
      w.write(Frame.FLAGS, new byte[] {(byte) ((noFallback ? 1 : 0) | (verbose ? 2 : 0))});
      w.write(Frame.CWD, cwd.toString());
      for (String a : argv) {
        w.write(Frame.ARG, a);
      }
      for (Map.Entry<String, String> e : env.entrySet()) {
        w.write(Frame.ENV, e.getKey() + "=" + e.getValue());
      }
    }
    w.write(Frame.END, new byte[0]);
  }

  /** A control request (ping, status, stop). */
  public static LauncherRequest control(Kind kind) {
    return new LauncherRequest(kind, null, false, false, List.of(), null, Map.of());
  }

  private static String abbreviate(String s) {
    return s.length() <= 60 ? s : s.substring(0, 60) + "...";
  }
}
