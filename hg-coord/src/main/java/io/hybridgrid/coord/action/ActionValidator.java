package io.hybridgrid.coord.action;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.hybridgrid.coord.action.ActionSpec.InputFile;
import io.hybridgrid.coord.action.ActionSpec.Symlink;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks an action before anything else looks at it: bounded counts and lengths, absolute and
 * normalised paths (no {@code .} or {@code ..} component, no empty component, no NUL), each path
 * named once, and the input root within its size bound. Every refusal is an {@link
 * IllegalArgumentException} that says what was wrong.
 */
public final class ActionValidator {
  /** Toolchains whose digest was computed over their files: the same list is not hashed again. */
  private static final int VERIFIED_TOOLCHAINS = 64;

  private final ActionLimits limits;

  /**
   * Toolchains already checked, by value (every file, link and the claimed digest): a client sends
   * the same toolchain with every compile, and hashing its file list twice per compile (to check
   * the claim, then for the action digest) was a sixth of the coordinator's samples.
   */
  private final Cache<ActionSpec.Toolchain, Boolean> verified =
      Caffeine.newBuilder().maximumSize(VERIFIED_TOOLCHAINS).build();

  public ActionValidator(ActionLimits limits) {
    this.limits = limits;
  }

  public ActionLimits limits() {
    return limits;
  }

  /**
   * Refuses {@code a} unless it is well formed and within bounds. Once it returns, the toolchain's
   * {@code digest} is the one computed over its files ({@link ActionDigest#ofValid}).
   */
  public void validate(ActionSpec a) {
    if (a.argv().isEmpty()) {
      throw new IllegalArgumentException("action has an empty argv");
    }
    if (a.argv().size() > limits.maxArgs()) {
      throw new IllegalArgumentException(
          "action has " + a.argv().size() + " arguments, more than " + limits.maxArgs());
    }
    for (String arg : a.argv()) {
      checkString("argument", arg);
    }
    checkPath("cwd", a.cwd());
    if (a.env().size() > limits.maxEnv()) {
      throw new IllegalArgumentException(
          "action has " + a.env().size() + " environment variables, more than " + limits.maxEnv());
    }
    for (Map.Entry<String, String> e : a.env().entrySet()) {
      if (e.getKey().isEmpty() || e.getKey().indexOf('=') >= 0) {
        throw new IllegalArgumentException(
            "environment variable name '" + shorten(e.getKey()) + "' is empty or contains '='");
      }
      checkString("environment variable name", e.getKey());
      checkString("environment variable " + shorten(e.getKey()), e.getValue());
    }
    int files =
        a.inputs().size()
            + a.symlinks().size()
            + a.directories().size()
            + a.toolchain().files().size()
            + a.toolchain().symlinks().size();
    if (files > limits.maxFiles()) {
      throw new IllegalArgumentException(
          "action names "
              + files
              + " files, links and directories, more than "
              + limits.maxFiles());
    }
    if (a.outputPaths().size() > limits.maxOutputs()) {
      throw new IllegalArgumentException(
          "action has "
              + a.outputPaths().size()
              + " output paths, more than "
              + limits.maxOutputs());
    }
    // A path is one thing: an input's content, a link, or a directory; the toolchain may name an
    // input again (gcc's own headers are both), but only with the same content.
    Map<String, InputFile> byPath = new HashMap<>();
    Set<String> taken = new HashSet<>();
    long total = 0;
    total += checkFiles("input", a.inputs(), byPath, taken, false);
    checkLinks(a.symlinks(), taken);
    total += checkFiles("toolchain file", a.toolchain().files(), byPath, taken, true);
    checkLinks(a.toolchain().symlinks(), taken);
    if (total > limits.maxInputRootBytes()) {
      throw new IllegalArgumentException(
          "input root is "
              + total
              + " bytes, more than the bound of "
              + limits.maxInputRootBytes()
              + " bytes (hg-coord --max-input-root): compile this one locally");
    }
    for (String d : a.directories()) {
      checkPath("directory", d);
      if (byPath.containsKey(d)) {
        throw new IllegalArgumentException("directory " + d + " is also named as a file");
      }
    }
    Set<String> outputs = new HashSet<>();
    for (String o : a.outputPaths()) {
      checkPath("output path", o);
      if (!outputs.add(o)) {
        throw new IllegalArgumentException("output path " + o + " is named twice");
      }
    }
    if (!a.toolchain().isEmpty()) {
      if (a.toolchain().hostArch().isBlank()) {
        throw new IllegalArgumentException(
            "the toolchain does not say which architecture its programs run on (host_arch)");
      }
      checkToolchainDigest(a.toolchain());
    }
    checkPath("compiler path", a.compilerPath());
  }

  private void checkToolchainDigest(ActionSpec.Toolchain t) {
    if (verified.getIfPresent(t) != null) {
      return;
    }
    String expected = ActionDigest.toolchain(t);
    if (!expected.equals(t.digest())) {
      throw new IllegalArgumentException(
          "toolchain digest "
              + shorten(t.digest())
              + " does not match its files (the coordinator computes "
              + expected
              + ")");
    }
    verified.put(t, Boolean.TRUE);
  }

  private long checkFiles(
      String what,
      List<InputFile> files,
      Map<String, InputFile> byPath,
      Set<String> taken,
      boolean mayRepeatInput) {
    long total = 0;
    Set<String> own = new HashSet<>();
    for (InputFile f : files) {
      checkPath(what, f.path());
      if (!own.add(f.path())) {
        throw new IllegalArgumentException(what + " " + f.path() + " is named twice");
      }
      InputFile before = byPath.putIfAbsent(f.path(), f);
      if (before != null) {
        if (!mayRepeatInput || !before.digest().equals(f.digest())) {
          throw new IllegalArgumentException(
              what + " " + f.path() + " is named twice with different content");
        }
        continue; // counted once
      }
      taken.add(f.path());
      total += f.digest().size();
    }
    return total;
  }

  private void checkLinks(List<Symlink> links, Set<String> taken) {
    for (Symlink s : links) {
      checkPath("symlink", s.path());
      if (s.target().isEmpty()) {
        throw new IllegalArgumentException("symlink " + s.path() + " has an empty target");
      }
      checkString("symlink target", s.target());
      if (!taken.add(s.path())) {
        throw new IllegalArgumentException("symlink " + s.path() + " is named twice");
      }
    }
  }

  private void checkString(String what, String s) {
    if (s.length() > limits.maxStringLength()) {
      throw new IllegalArgumentException(
          what
              + " '"
              + shorten(s)
              + "' has "
              + s.length()
              + " characters, more than "
              + limits.maxStringLength());
    }
    if (s.indexOf('\0') >= 0) {
      throw new IllegalArgumentException(what + " '" + shorten(s) + "' contains a NUL character");
    }
  }

  /** Longest file name (one path component), as Linux NAME_MAX. */
  static final int MAX_NAME = 255;

  /**
   * Absolute and normalised: starts with '/', no empty, '.' or '..' component, no trailing '/'; no
   * file name longer than {@link #MAX_NAME} bytes.
   */
  void checkPath(String what, String p) {
    checkString(what, p);
    if (!p.startsWith("/")) {
      throw new IllegalArgumentException(what + " '" + shorten(p) + "' is not an absolute path");
    }
    if (p.equals("/")) {
      return;
    }
    for (String part : p.substring(1).split("/", -1)) {
      if (part.isEmpty() || part.equals(".") || part.equals("..")) {
        throw new IllegalArgumentException(
            what
                + " '"
                + shorten(p)
                + "' is not normalised (no empty, '.' or '..' components, no trailing '/')");
      }
      // A longer name cannot be created on a worker (ENAMETOOLONG): refused here, as the
      // client's fault, before a worker could be blamed for it.
      if (part.getBytes(StandardCharsets.UTF_8).length > MAX_NAME) {
        throw new IllegalArgumentException(
            what + " '" + shorten(p) + "' has a file name longer than " + MAX_NAME + " bytes");
      }
    }
  }

  private static String shorten(String s) {
    return s.length() <= 120 ? s : s.substring(0, 120) + "...";
  }
}
