package io.hybridgrid.cli.compile;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Joins the diagnostics of the local preprocessing run and of the remote compile into what one
 * local compile would have printed.
 *
 * <p>With {@code -fdirectives-only}, macro definitions are processed twice: once while
 * preprocessing here (which reports, say, a redefined macro) and again on the worker (which reports
 * it again). Everything else is reported by exactly one side: {@code #warning}, {@code #if}
 * problems and missing headers here, the compiler proper there. So the local diagnostics that the
 * remote compile printed again are dropped, one for one, and the remote text is kept whole: it has
 * them where a local compile prints them, between the compiler's own diagnostics and with gcc's
 * context lines ("a.c: At top level:"). A diagnostic is compared as a block: its include-chain
 * lines, its message line and the indented snippet lines that follow. clang's count line ("1
 * warning generated.") of the local run is dropped when all it counted is in the remote text, whose
 * own count covers it.
 */
public final class DiagnosticsMerger {
  private DiagnosticsMerger() {}

  private static final Pattern CLANG_SUMMARY =
      Pattern.compile("\\d+ (?:warnings?|errors?)(?: and \\d+ errors?)? generated\\.\n?");

  /** The merged text: the local blocks the remote compile did not print, then the remote text. */
  public static byte[] merge(byte[] local, byte[] remote) {
    if (remote.length == 0) {
      return local;
    }
    if (local.length == 0) {
      return remote;
    }
    List<String> remoteBlocks = blocks(new String(remote, StandardCharsets.ISO_8859_1));
    List<String> localOnly = new ArrayList<>();
    for (String block : blocks(new String(local, StandardCharsets.ISO_8859_1))) {
      if (!remoteBlocks.remove(block)) {
        localOnly.add(block);
      }
    }
    if (localOnly.stream().allMatch(b -> CLANG_SUMMARY.matcher(b).matches())) {
      localOnly.clear();
    }
    StringBuilder out = new StringBuilder();
    localOnly.forEach(out::append);
    out.append(new String(remote, StandardCharsets.ISO_8859_1));
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
