package io.hybridgrid.worker.action;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.hybridgrid.common.fs.TempTrees;
import io.hybridgrid.common.task.Rejection;
import io.hybridgrid.worker.cas.BlobDigest;
import io.hybridgrid.worker.cas.BlobMismatchException;
import io.hybridgrid.worker.cas.BlobNotFoundException;
import io.hybridgrid.worker.cas.CasClient;
import io.hybridgrid.worker.cas.CasFetcher;
import io.hybridgrid.worker.cas.InstalledFiles;
import io.hybridgrid.worker.cas.LocalCas;
import io.hybridgrid.worker.compiler.InstalledCompilers;
import io.hybridgrid.worker.compiler.TaskRefusedException;
import io.hybridgrid.worker.metrics.TaskMeter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an action hermetically: fetches the inputs the local store lacks, links the input root into
 * a fresh task directory laid out as a root tree, runs the exact command in {@link BwrapSandbox} so
 * that it sees those files at their original absolute paths (cwd included) and nothing else of this
 * machine but the toolchain, and returns the declared outputs that exist. The task directory is
 * removed afterwards; anything else the command wrote goes with it.
 */
public final class ActionExecutor {
  private static final Logger log = LoggerFactory.getLogger(ActionExecutor.class);

  private final InstalledCompilers compilers;
  private final CasFetcher fetcher;
  private final SandboxSettings settings;
  private final BwrapSandbox sandbox;
  private final HostToolchain hostToolchain;
  private final ActionBreaker breaker;
  private final TaskMeter meter;
  private final ToolchainMode mode;
  private final InstalledFiles installedFiles = new InstalledFiles();
  private final SymlinkPrototypes symlinks;
  private final java.util.Deque<Spare> spares = new java.util.ArrayDeque<>();

  /** A task directory's name: {@code task-<worker pid>-<random>}. */
  private static final Pattern TASK_DIR = Pattern.compile("task-(\\d+)-.*");

  // Digests of shipped toolchains that ran here, for the heartbeat's count; bounded.
  private final Set<String> toolchainsRun = ConcurrentHashMap.newKeySet();

  /** Shipped toolchains remembered for the count; past it the count starts over. */
  private static final int MAX_TOOLCHAINS_COUNTED = 1024;

  /**
   * @param compilers this worker's compilers (used while clients do not ship their toolchain)
   * @param fetcher the local store and how to fill it
   * @param settings sandbox, limits and bounds
   */
  public ActionExecutor(
      InstalledCompilers compilers, CasFetcher fetcher, SandboxSettings settings) {
    this(compilers, fetcher, settings, null);
  }

  /**
   * As above, behind {@code breaker} ({@link ActionBreaker}): only infrastructure failures count
   * against it, and while it is open actions are refused as UNAVAILABLE.
   */
  public ActionExecutor(
      InstalledCompilers compilers,
      CasFetcher fetcher,
      SandboxSettings settings,
      CircuitBreaker breaker) {
    this(compilers, fetcher, settings, breaker, TaskMeter.NONE);
  }

  /** As above, each action counted by {@code meter}. */
  public ActionExecutor(
      InstalledCompilers compilers,
      CasFetcher fetcher,
      SandboxSettings settings,
      CircuitBreaker breaker,
      TaskMeter meter) {
    this(compilers, fetcher, settings, breaker, meter, ToolchainMode.BOTH);
  }

  /**
   * As above, running the compilers {@code mode} allows: shipped toolchains (only ever inside the
   * sandbox, showing only the toolchain's own files), this worker's installed ones, or both.
   */
  public ActionExecutor(
      InstalledCompilers compilers,
      CasFetcher fetcher,
      SandboxSettings settings,
      CircuitBreaker breaker,
      TaskMeter meter,
      ToolchainMode mode) {
    this.mode = mode;
    this.meter = meter;
    this.breaker = breaker == null ? null : new ActionBreaker(breaker);
    this.compilers = compilers;
    this.fetcher = fetcher;
    this.settings = settings;
    this.sandbox = new BwrapSandbox(settings);
    this.symlinks = new SymlinkPrototypes(settings.workRoot().resolve("symlinks"));
    this.hostToolchain = new HostToolchain(System.getenv("PATH"));
    removeStaleTaskDirs();
  }

  /** Which compilers this executor runs. */
  public ToolchainMode mode() {
    return mode;
  }

  /** Shipped toolchains that ran here since this worker started (their files are in its store). */
  public int toolchainsHeld() {
    return toolchainsRun.size();
  }

  /** Whether bubblewrap is installed where the settings say; without it actions cannot run. */
  public boolean available() {
    return Files.isExecutable(settings.bwrap());
  }

  /**
   * Runs {@code action}.
   *
   * @param timeout the assignment's own limit (zero or negative: the worker's)
   * @param remote the coordinator's store, for missing inputs and large outputs
   * @throws TaskRefusedException INVALID_TASK for a malformed action or a missing input (named by
   *     path), UNKNOWN_COMPILER when this worker lacks the compiler, INFRASTRUCTURE when the
   *     sandbox could not run it here
   */
  public ActionOutcome execute(ActionSpec action, Duration timeout, CasClient remote)
      throws TaskRefusedException {
    return meter.measure(
        inputBytes(action),
        () -> guarded(action, timeout, remote),
        ActionOutcome::exitCode,
        ActionExecutor::outputBytes);
  }

  private static long inputBytes(ActionSpec action) {
    long n = 0;
    for (var f : action.inputs()) {
      n += f.digest().size();
    }
    return n;
  }

  private static long outputBytes(ActionOutcome out) {
    long n = (long) out.stdout().length + out.stderr().length;
    for (ActionOutcome.Output o : out.outputs()) {
      n += o.digest().size();
    }
    return n;
  }

  private ActionOutcome guarded(ActionSpec action, Duration timeout, CasClient remote)
      throws TaskRefusedException {
    return breaker == null
        ? executeUnguarded(action, timeout, remote)
        : breaker.call(() -> executeUnguarded(action, timeout, remote));
  }

  /**
   * Whether bubblewrap can make a sandbox on this machine (user namespaces allowed, the host side
   * of the launch works): runs {@code /bin/true} in an otherwise empty one. The reason when not.
   */
  public Optional<String> selfCheck() {
    if (!available()) {
      return Optional.of("bubblewrap is not installed at " + settings.bwrap());
    }
    try {
      Path dir = newTaskDir();
      try {
        TaskTree tree = new TaskTree(dir.resolve("root"));
        tree.directory("/proc");
        tree.directory("/dev");
        tree.directory("/tmp");
        Path realTrue = Path.of("/bin/true").toRealPath();
        List<Map.Entry<String, String>> ro = new ArrayList<>();
        Set<HostToolchain.Entry> entries = new LinkedHashSet<>();
        HostToolchain.mirror(realTrue, entries);
        for (String lib : HostToolchain.libraries(realTrue)) {
          HostToolchain.mirror(Path.of(lib), entries);
        }
        for (HostToolchain.Entry e : entries) {
          mountToolchain(tree, e, ro);
        }
        BwrapSandbox.Result r =
            sandbox.run(
                new BwrapSandbox.Run(
                    dir,
                    tree.root(),
                    "/",
                    List.of(realTrue.toString()),
                    Map.of(),
                    List.of(),
                    ro,
                    Duration.ofSeconds(30)));
        return r.exitCode() == 0
            ? Optional.empty()
            : Optional.of(
                "true exited "
                    + r.exitCode()
                    + " in the sandbox: "
                    + new String(r.stderr(), java.nio.charset.StandardCharsets.UTF_8).strip());
      } finally {
        TempTrees.delete(dir);
      }
    } catch (IOException | TaskRefusedException e) {
      return Optional.of(e.getMessage());
    }
  }

  private ActionOutcome executeUnguarded(ActionSpec action, Duration timeout, CasClient remote)
      throws TaskRefusedException {
    try {
      ActionChecks.check(action, settings);
    } catch (InvalidActionException e) {
      throw new TaskRefusedException(Rejection.INVALID_TASK, e.getMessage(), e);
    }
    Path installed = null;
    String toolchain = "";
    if (action.toolchain().shipped() && mode.acceptsShipped()) {
      String arch = action.toolchain().hostArch();
      if (!arch.isEmpty() && !arch.equals(System.getProperty("os.arch"))) {
        throw new TaskRefusedException(
            Rejection.UNKNOWN_COMPILER,
            "the toolchain runs on " + arch + "; this worker is " + System.getProperty("os.arch"));
      }
      toolchain = action.toolchain().digest();
    } else if (!mode.runsOwn()) {
      throw new TaskRefusedException(
          Rejection.UNKNOWN_COMPILER,
          "this worker runs only shipped toolchains (--toolchains shipped) and the action ships"
              + " none for "
              + action.compiler().describe());
    } else {
      Optional<Path> own = compilers.find(action.compiler());
      if (own.isEmpty()) {
        throw new TaskRefusedException(
            Rejection.UNKNOWN_COMPILER,
            action.toolchain().shipped()
                ? "this worker runs only its own compilers (--toolchains own) and has no "
                    + action.compiler().describe()
                    + "; it refuses shipped toolchains"
                : "this worker has no " + action.compiler().describe());
      }
      installed = own.get();
      // Its own compiler of that identity runs; the shipped files are neither fetched nor shown.
      action = action.withoutToolchain();
    }
    if (!available()) {
      throw new TaskRefusedException(
          Rejection.INFRASTRUCTURE,
          "bubblewrap is not installed at " + settings.bwrap() + " (Debian package bubblewrap)");
    }
    List<ActionSpec.InputFile> files = new ArrayList<>(action.inputs());
    files.addAll(action.toolchain().files());
    Set<BlobDigest> digests = new LinkedHashSet<>();
    files.forEach(f -> digests.add(f.digest()));
    LocalCas cas = fetcher.cas();
    try (LocalCas.Pin pin = cas.pin(digests)) {
      adoptInstalled(action.toolchain().files(), cas);
      fetch(files, digests, remote);
      Spare spare = takeSpare();
      Path taskDir = spare != null ? spare.dir() : newTaskDir();
      TaskTree tree =
          new TaskTree(
              taskDir.resolve("root"),
              symlinks,
              spare != null ? spare.left() : TaskTree.Leftover.NONE);
      boolean ran = false;
      try {
        ActionOutcome out = run(action, installed, files, taskDir, tree, timeout, remote);
        ran = true;
        if (!toolchain.isEmpty()) {
          if (toolchainsRun.size() >= MAX_TOOLCHAINS_COUNTED) {
            toolchainsRun.clear();
          }
          toolchainsRun.add(toolchain);
        }
        return out;
      } finally {
        release(taskDir, tree, ran);
      }
    }
  }

  /** An emptied task directory kept for the next action, and what its tree still holds. */
  private record Spare(Path dir, TaskTree.Leftover left) {}

  /** Emptied task directories kept; one per compile thread is what a busy worker reuses. */
  private static final int MAX_SPARES = 16;

  /** A tree holding more entries than this is removed rather than kept. */
  private static final int MAX_SPARE_ENTRIES = 100_000;

  private Spare takeSpare() {
    synchronized (spares) {
      return spares.pollFirst();
    }
  }

  /**
   * Empties the task directory for the next action ({@link TaskTree#empty}) when its command ran
   * and there is room, else (or when emptying fails) removes it. After a failed layout or a command
   * that did not finish, the tree may not hold what it recorded: it is never reused.
   */
  private void release(Path taskDir, TaskTree tree, boolean ran) {
    try {
      boolean room = ran;
      synchronized (spares) {
        room &= spares.size() < MAX_SPARES;
      }
      if (room) {
        TaskTree.Leftover left = tree.empty();
        if (left.size() <= MAX_SPARE_ENTRIES) {
          synchronized (spares) {
            if (spares.size() < MAX_SPARES) {
              spares.addFirst(new Spare(taskDir, left));
              return;
            }
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      log.warn("could not empty task directory {} for reuse: {}", taskDir, e.toString());
    }
    try {
      TempTrees.delete(taskDir);
    } catch (IOException e) {
      log.warn("could not remove task directory {}: {}", taskDir, e.toString());
    }
  }

  /**
   * Removes task directories a worker that is no longer running left in the work root (their names
   * carry the worker's process id), and those of the old naming.
   */
  private void removeStaleTaskDirs() {
    Path root = settings.workRoot();
    if (!Files.isDirectory(root)) {
      return;
    }
    try (var dirs = Files.newDirectoryStream(root, "task-*")) {
      for (Path d : dirs) {
        Matcher m = TASK_DIR.matcher(d.getFileName().toString());
        boolean stale =
            !m.matches()
                || ProcessHandle.of(Long.parseLong(m.group(1))).map(h -> !h.isAlive()).orElse(true);
        if (stale) {
          TempTrees.delete(d);
        }
      }
    } catch (IOException | RuntimeException e) {
      log.warn("could not remove stale task directories in {}: {}", root, e.toString());
    }
  }

  /**
   * Takes the toolchain files the store lacks from this machine's own installed files where they
   * have the same content (the same compiler package), so only the rest is fetched.
   */
  private void adoptInstalled(List<ActionSpec.InputFile> toolchainFiles, LocalCas cas) {
    int adopted = 0;
    long bytes = 0;
    for (ActionSpec.InputFile f : toolchainFiles) {
      if (!cas.contains(f.digest()) && installedFiles.adopt(cas, f.path(), f.digest())) {
        adopted++;
        bytes += f.digest().size();
      }
    }
    if (adopted > 0) {
      log.info(
          "{} toolchain files ({} bytes) taken from this machine, not fetched", adopted, bytes);
    }
  }

  private void fetch(List<ActionSpec.InputFile> files, Set<BlobDigest> digests, CasClient remote)
      throws TaskRefusedException {
    try {
      fetcher.ensure(digests, remote);
    } catch (BlobNotFoundException e) {
      List<String> paths = new ArrayList<>();
      for (ActionSpec.InputFile f : files) {
        if (e.missing().contains(f.digest())) {
          paths.add(f.path());
        }
      }
      throw new TaskRefusedException(
          Rejection.INVALID_TASK,
          "input(s) missing from the coordinator's store (upload them first): "
              + (paths.size() > 10
                  ? paths.subList(0, 10) + " and " + (paths.size() - 10) + " more"
                  : paths),
          e);
    } catch (BlobMismatchException e) {
      throw new TaskRefusedException(
          Rejection.INFRASTRUCTURE, "the coordinator sent a corrupt blob: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new TaskRefusedException(
          Rejection.INFRASTRUCTURE,
          "cannot fetch inputs from the coordinator: " + e.getMessage(),
          e);
    }
  }

  private Path newTaskDir() throws TaskRefusedException {
    try {
      Files.createDirectories(settings.workRoot());
      if (settings.user() != null) {
        reachable(settings.workRoot().toAbsolutePath());
      }
      Path dir =
          Files.createTempDirectory(
              settings.workRoot(), "task-" + ProcessHandle.current().pid() + "-");
      // The sandbox user must traverse to the tree; nothing else in here is readable to it.
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
      Path root = dir.resolve("root");
      Files.createDirectory(root);
      Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
      return dir;
    } catch (IOException e) {
      throw new TaskRefusedException(
          Rejection.INFRASTRUCTURE, "cannot create a task directory: " + e, e);
    }
  }

  /**
   * The sandbox user must be able to traverse every directory down to the task directories (it is
   * bubblewrap, running as that user, that mounts the tree).
   */
  private static void reachable(Path workRoot) throws TaskRefusedException, IOException {
    for (Path d = workRoot; d != null; d = d.getParent()) {
      Set<PosixFilePermission> mode = Files.getPosixFilePermissions(d);
      if (!mode.contains(PosixFilePermission.OTHERS_EXECUTE)) {
        throw new TaskRefusedException(
            Rejection.INFRASTRUCTURE,
            "the sandbox user cannot reach the work directory: "
                + d
                + " is not traversable by others (chmod o+x it, or choose another --work-dir)");
      }
    }
  }

  private ActionOutcome run(
      ActionSpec action,
      Path installed,
      List<ActionSpec.InputFile> files,
      Path taskDir,
      TaskTree tree,
      Duration timeout,
      CasClient remote)
      throws TaskRefusedException {
    List<String> writable = tree.writable();
    Map<String, String> outputs = new LinkedHashMap<>();
    List<Map.Entry<String, String>> readOnly = new ArrayList<>();
    try {
      // Mount points of the sandbox's own /proc and /dev, made first: nothing may land there.
      tree.directory("/proc");
      tree.directory("/dev");
      List<ActionSpec.Symlink> links = new ArrayList<>(action.symlinks());
      links.addAll(action.toolchain().symlinks());
      links.sort(Comparator.comparing(ActionSpec.Symlink::path));
      for (ActionSpec.Symlink l : links) {
        reserved(tree.symlink(l.path(), l.target()), l.path());
      }
      for (String d : action.directories()) {
        reserved(tree.directory(d), d);
      }
      reserved(tree.directory(action.cwd()), action.cwd());
      String tmp = tree.directory("/tmp");
      writable.add(tmp);
      for (String o : action.outputPaths()) {
        String r = tree.resolve(o, true, false);
        reserved(r, o);
        String parent = r.substring(0, r.lastIndexOf('/'));
        parent = parent.isEmpty() ? "/" : parent;
        if (parent.equals("/")) {
          throw new InvalidActionException("output " + o + " would be written in / itself");
        }
        if (!writable.contains(parent)) {
          writable.add(parent);
        }
        outputs.put(o, r);
      }
      // When commands run as the worker's own user they could chmod a hard-linked input in a
      // writable directory and change the shared store: there, inputs are copies.
      boolean copyInWritable = settings.user() == null;
      for (ActionSpec.InputFile f : files) {
        Optional<Path> stored = fetcher.cas().find(f.digest(), f.executable());
        if (stored.isEmpty()) {
          throw new IOException("blob " + f.digest() + " of " + f.path() + " left the local store");
        }
        String placed;
        try {
          placed = tree.file(f, stored.get(), r -> copyInWritable && under(r, writable));
        } catch (NoSuchFileException e) {
          if (fetcher.cas().forgetMissing(f.digest())) {
            throw new IOException(
                "blob "
                    + f.digest()
                    + " of "
                    + f.path()
                    + " was removed from the local store"
                    + " behind its back; it is fetched again for the next action",
                e);
          }
          throw e;
        }
        reserved(placed, f.path());
      }
      for (Map.Entry<String, String> o : outputs.entrySet()) {
        if (tree.occupied(o.getValue())) {
          throw new InvalidActionException(
              "output path " + o.getKey() + " is also an input, symlink or directory");
        }
      }
      if (installed != null) {
        for (HostToolchain.Entry e :
            hostToolchain.entries(action.compiler(), installed, action.compilerPath())) {
          mountToolchain(tree, e, readOnly);
        }
      }
      for (String w : writable) {
        prepareWritable(tree.host(w), w.equals(tmp));
      }
      tree.pruneUnused();
    } catch (InvalidActionException e) {
      throw new TaskRefusedException(Rejection.INVALID_TASK, e.getMessage(), e);
    } catch (IOException e) {
      throw new TaskRefusedException(
          Rejection.INFRASTRUCTURE, "cannot lay out the input root: " + e, e);
    }
    Duration limit =
        timeout.isZero() || timeout.isNegative() || timeout.compareTo(settings.timeout()) > 0
            ? settings.timeout()
            : timeout;
    BwrapSandbox.Result result;
    try {
      result =
          sandbox.run(
              new BwrapSandbox.Run(
                  taskDir,
                  tree.root(),
                  action.cwd(),
                  action.argv(),
                  action.env(),
                  writable,
                  readOnly,
                  limit));
    } catch (IOException e) {
      throw new TaskRefusedException(Rejection.INFRASTRUCTURE, e.getMessage(), e);
    }
    if (result.exitCode() > 128) {
      throw new TaskRefusedException(
          Rejection.INFRASTRUCTURE,
          "the command was killed by signal " + (result.exitCode() - 128));
    }
    try {
      return new ActionOutcome(
          result.exitCode(),
          collect(tree, outputs, remote),
          result.stdout(),
          result.stderr(),
          result.micros());
    } catch (IOException e) {
      throw new TaskRefusedException(
          Rejection.INFRASTRUCTURE, "cannot return the outputs: " + e.getMessage(), e);
    }
  }

  private static void reserved(String resolved, String named) throws InvalidActionException {
    for (String r : List.of("/proc", "/dev")) {
      if (resolved.equals(r) || resolved.startsWith(r + "/")) {
        throw new InvalidActionException(
            named + " lands in " + r + ", which the sandbox provides itself");
      }
    }
  }

  private static boolean under(String resolved, List<String> dirs) {
    for (String d : dirs) {
      if (resolved.startsWith(d + "/")) {
        return true;
      }
    }
    return false;
  }

  private static void mountToolchain(
      TaskTree tree, HostToolchain.Entry e, List<Map.Entry<String, String>> readOnly)
      throws IOException {
    if (e instanceof HostToolchain.Link l) {
      try {
        tree.symlink(l.path(), l.target());
      } catch (InvalidActionException conflict) {
        // The input root has something there already: it wins, as it does on the client.
      }
    } else if (e instanceof HostToolchain.Mount m) {
      String r = tree.resolve(m.path(), true, false);
      if (!r.equals("/") && tree.mountPoint(r, m.directory())) {
        readOnly.add(new AbstractMap.SimpleImmutableEntry<>(m.path(), r));
      }
    }
  }

  /** A writable directory belongs to the sandbox user; the fresh /tmp is sticky like /tmp. */
  private void prepareWritable(Path dir, boolean isTmp) throws IOException {
    Files.setPosixFilePermissions(
        dir, PosixFilePermissions.fromString(isTmp ? "rwxrwxrwx" : "rwxr-xr-x"));
    if (settings.user() != null) {
      PosixFileAttributeView view =
          Files.getFileAttributeView(dir, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
      var lookup = dir.getFileSystem().getUserPrincipalLookupService();
      view.setOwner(lookup.lookupPrincipalByName(Integer.toString(settings.user().uid())));
      view.setGroup(lookup.lookupPrincipalByGroupName(Integer.toString(settings.user().gid())));
    }
    if (isTmp) {
      Files.setAttribute(dir, "unix:mode", 01777, LinkOption.NOFOLLOW_LINKS); // sticky, as /tmp
    }
  }

  /**
   * The declared outputs that exist as regular files. Read without following symlinks: the command
   * could have left a symlink at an output path pointing anywhere on this machine.
   */
  private List<ActionOutcome.Output> collect(
      TaskTree tree, Map<String, String> outputs, CasClient remote) throws IOException {
    List<ActionOutcome.Output> out = new ArrayList<>();
    for (Map.Entry<String, String> o : outputs.entrySet()) {
      Path host = tree.host(o.getValue());
      BasicFileAttributes a = TaskTree.attributes(host);
      if (a == null) {
        continue;
      }
      if (!a.isRegularFile()) {
        log.info("output {} is not a regular file; not returned", o.getKey());
        continue;
      }
      Set<PosixFilePermission> mode =
          Files.getPosixFilePermissions(host, LinkOption.NOFOLLOW_LINKS);
      boolean exec = mode.contains(PosixFilePermission.OWNER_EXECUTE);
      try (InputStream in =
          Files.newInputStream(host, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
        byte[] head = in.readNBytes(settings.inlineOutputBytes() + 1);
        if (head.length <= settings.inlineOutputBytes()) {
          out.add(new ActionOutcome.Output(o.getKey(), BlobDigest.of(head), exec, head));
          continue;
        }
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        md.update(head);
        long size = head.length;
        byte[] buf = new byte[64 * 1024];
        int n;
        while ((n = in.read(buf)) > 0) {
          md.update(buf, 0, n);
          size += n;
        }
        BlobDigest d = new BlobDigest(HexFormat.of().formatHex(md.digest()), size);
        remote.write(d, host);
        out.add(new ActionOutcome.Output(o.getKey(), d, exec, null));
      } catch (java.security.NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }
    return out;
  }
}
