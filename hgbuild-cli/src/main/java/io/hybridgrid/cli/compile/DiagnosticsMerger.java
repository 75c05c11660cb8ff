package io.hybridgrid.cli.compile;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Joins the diagnostics of the local preprocessing run and of the remote compile into what one
 * local compile would have printed.
 *
 * <p>With {@code -fdirectives-only}, macro definitions are processed twice: once while
 * preprocessing here (which reports, say, a redefined macro) and again on the worker (which reports
 * it again). Everything else is reported by exactly one side: {@code #warning}, {@code #if}
 * problems and missing headers here, the compiler proper there. So the remote diagnostics that the
 * preprocessing run already printed are dropped, one for one. A diagnostic is compared as a block:
 * its include-chain lines, its message line and the indented snippet lines that follow.
 */
public final class DiagnosticsMerger {
  private DiagnosticsMerger() {}

  /** The merged text: local first, then the remote blocks the local run did not print. */
  public static byte[] merge(byte[] local, byte[] remote) {
    if (remote.length == 0) {
      return local;
    }
    if (local.length == 0) {
      return remote;
    }
    List<String> localBlocks = blocks(new String(local, StandardCharsets.ISO_8859_1));
    List<String> remoteBlocks = blocks(new String(remote, StandardCharsets.ISO_8859_1));
    StringBuilder out = new StringBuilder(new String(local, StandardCharsets.ISO_8859_1));
    for (String block : remoteBlocks) {
      if (!localBlocks.remove(block)) {
        out.append(block);
      }
    }
    return out.toString().getBytes(StandardCharsets.ISO_8859_1);
  }

  /** Splits diagnostics text into blocks (each ends with its newline). */
  static List<String> blocks(String text) {
    List<String> out = new ArrayList<>();
    StringBuilder current = null;
    boolean inChain = false;
    for (String line : text.split("(?<=\n)")) {
      boolean indented = line.startsWith(" ") || line.startsWith("\t");
      if (current != null && inChain) {
        // "In file included from a.c:1," / "                 from b.h:2:" then the message.
        current.append(line);
        inChain = indented && line.stripLeading().startsWith("from ");
        continue;
      }
      if (current != null && indented) {
        current.append(line);
        continue;
      }
      if (current != null) {
        out.add(current.toString());
      }
      current = new StringBuilder(line);
      inChain = line.startsWith("In file included from ");
    }
    if (current != null) {
      out.add(current.toString());
    }
    return out;
  }
}
