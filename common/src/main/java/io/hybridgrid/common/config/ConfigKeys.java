package io.hybridgrid.common.config;

import static io.hybridgrid.common.config.ValueType.BOOL;
import static io.hybridgrid.common.config.ValueType.COUNT;
import static io.hybridgrid.common.config.ValueType.HOST_PORT;
import static io.hybridgrid.common.config.ValueType.PORT;
import static io.hybridgrid.common.config.ValueType.SECONDS;
import static io.hybridgrid.common.config.ValueType.SECONDS_OR_ZERO;
import static io.hybridgrid.common.config.ValueType.SIZE;
import static io.hybridgrid.common.config.ValueType.SIZE_OR_ZERO;
import static io.hybridgrid.common.config.ValueType.TEXT;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every key of config.toml, in the order {@code hgbuild config show} and the docs list them. A new
 * setting is one {@code key(...)} line here; README.md's configuration table must list it (a test
 * checks).
 */
public final class ConfigKeys {
  private static final Map<String, ConfigKey> KEYS = define();

  /** Collects the definitions in order. */
  private static final class Defs {
    final Map<String, ConfigKey> keys = new LinkedHashMap<>();

    void key(String name, String def, ValueType type, String programs, String description) {
      key(name, ConfigKey.envFor(name), def, def, type, programs, description);
    }

    void key(
        String name,
        String env,
        String def,
        String defText,
        ValueType type,
        String programs,
        String description) {
      keys.put(name, new ConfigKey(name, env, def, defText, type, programs, description));
    }
  }

  private static Map<String, ConfigKey> define() {
    Defs d = new Defs();
    // Shared.
    d.key(
        "coordinator",
        "HG_COORDINATOR",
        "",
        "found by mDNS, else 127.0.0.1:9000 (hgbuild)",
        HOST_PORT,
        "hgbuild hg-worker",
        "hg-coord's gRPC address");
    d.key(
        "no_mdns",
        "false",
        BOOL,
        "hgbuild hg-coord hg-worker",
        "never announce or look for the coordinator by mDNS");
    d.key(
        "compression",
        "none",
        ValueType.oneOf("none", "gzip"),
        "hg-coord hg-worker",
        "how the coordinator and workers compress what they send; gzip pays only over a slow"
            + " link");
    // hgbuild.
    d.key(
        "no_fallback",
        "false",
        BOOL,
        "hgbuild",
        "fail instead of compiling locally when the grid cannot serve");
    d.key("verbose", "false", BOOL, "hgbuild", "print where each file was compiled");
    d.key(
        "timeout",
        "600",
        SECONDS,
        "hgbuild",
        "seconds a remote compile may take, queueing included");
    d.key(
        "priority",
        "interactive",
        ValueType.oneOf("interactive", "batch"),
        "hgbuild",
        "batch queues behind interactive compiles");
    d.key(
        "scan",
        "builtin",
        ValueType.oneOf("builtin", "compiler"),
        "hgbuild",
        "how a remote compile's input files are found: hgbuild's own include scan, or the"
            + " compiler's -M");
    d.key(
        "cache_dir",
        "HG_CACHE_DIR",
        "",
        "~/.hybridgrid/cache",
        TEXT,
        "hgbuild",
        "the local compile cache");
    d.key("cache_size", "5G", SIZE, "hgbuild", "the local cache's size limit");
    d.key(
        "no_cache",
        "false",
        BOOL,
        "hgbuild",
        "neither look up nor store anything, locally or in the coordinator's shared cache");
    d.key(
        "no_direct",
        "false",
        BOOL,
        "hgbuild",
        "no direct mode: every lookup runs the dependency scan first");
    d.key(
        "daemon_idle_timeout",
        "600",
        SECONDS_OR_ZERO,
        "hgbuild",
        "seconds without requests before the daemon exits (0: never)");
    // hg-coord.
    d.key("coord.grpc_port", "9000", PORT, "hg-coord", "gRPC port for clients and workers");
    d.key(
        "coord.http_port",
        "8080",
        PORT,
        "hg-coord",
        "HTTP port for /health, /metrics, /api/v1/* and the dashboard");
    d.key("coord.bind", "0.0.0.0", TEXT, "hg-coord", "address to listen on");
    d.key("coord.queue_size", "10000", COUNT, "hg-coord", "tasks that may wait for a worker");
    d.key(
        "coord.queue_timeout", "300", SECONDS, "hg-coord", "seconds a task may wait for a worker");
    d.key(
        "coord.hedge_floor",
        "4",
        SECONDS_OR_ZERO,
        "hg-coord",
        "seconds a compile runs before it may be duplicated on another worker (0: never)");
    d.key(
        "coord.hedge_factor",
        "3",
        COUNT,
        "hg-coord",
        "a compile is duplicated once it ran this many times its worker's average");
    d.key(
        "coord.worker_wait",
        "5",
        SECONDS_OR_ZERO,
        "hg-coord",
        "seconds after start a compile waits for workers to (re)connect");
    d.key(
        "coord.scheduler",
        "p2c",
        ValueType.oneOf("p2c", "round-robin", "least-loaded"),
        "hg-coord",
        "placement policy");
    d.key(
        "coord.state_dir",
        "HG_COORD_STATE_DIR",
        "",
        "$XDG_STATE_HOME/hybridgrid/coord, else ~/.hybridgrid/coord",
        TEXT,
        "hg-coord",
        "connectivity events and the disk cache");
    d.key("coord.no_cache", "false", BOOL, "hg-coord", "no shared result cache");
    d.key(
        "coord.cache_memory",
        "512M",
        SIZE_OR_ZERO,
        "hg-coord",
        "memory tier bound of the shared cache (0: none)");
    d.key(
        "coord.cache_dir",
        "HG_COORD_CACHE_DIR",
        "",
        "<state_dir>/cache",
        TEXT,
        "hg-coord",
        "disk tier directory of the shared cache");
    d.key(
        "coord.cache_disk_size",
        "10G",
        SIZE_OR_ZERO,
        "hg-coord",
        "disk tier bound of the shared cache (0: none)");
    d.key(
        "coord.verify_sample_rate",
        "0.05",
        ValueType.FRACTION,
        "hg-coord",
        "share of trusted-worker results re-run on another worker to verify them (0 to 1)");
    d.key(
        "coord.mdns_interface",
        "HG_COORD_MDNS_INTERFACE",
        "",
        "the first suitable interface",
        TEXT,
        "hg-coord",
        "local address to announce mDNS on");
    // hg-worker.
    d.key(
        "worker.max_parallel",
        "HG_WORKER_MAX_PARALLEL",
        "",
        "the cores its cgroup allows",
        COUNT,
        "hg-worker",
        "compiles run at once");
    d.key("worker.id", "HG_WORKER_ID", "", "hostname-pid", TEXT, "hg-worker", "worker id");
    d.key(
        "worker.work_dir",
        "HG_WORKER_WORK_DIR",
        "",
        "a new directory under /tmp",
        TEXT,
        "hg-worker",
        "where task directories are made");
    d.key(
        "worker.compile_timeout",
        "600",
        SECONDS,
        "hg-worker",
        "longest time one compile may take, in seconds");
    d.key(
        "worker.compilers",
        "HG_WORKER_COMPILERS",
        "",
        "every gcc and clang driver on PATH",
        TEXT,
        "hg-worker",
        "offer only these compiler executables (comma-separated, * globs)");
    d.key(
        "worker.toolchains",
        "HG_WORKER_TOOLCHAINS",
        "",
        "both",
        ValueType.oneOf("own", "shipped", "both"),
        "hg-worker",
        "which compilers run: own (installed here), shipped (clients' toolchains) or both");
    d.key(
        "worker.mdns_interface",
        "HG_WORKER_MDNS_INTERFACE",
        "",
        "the first suitable interface",
        TEXT,
        "hg-worker",
        "local address to browse mDNS on");
    return Collections.unmodifiableMap(d.keys);
  }

  private ConfigKeys() {}

  /** Every key, in documentation order. */
  public static List<ConfigKey> all() {
    return Collections.unmodifiableList(new ArrayList<>(KEYS.values()));
  }

  /** The key called {@code name}. */
  public static Optional<ConfigKey> find(String name) {
    return Optional.ofNullable(KEYS.get(name));
  }

  /** The key called {@code name}; for code that names a key it defined. */
  public static ConfigKey get(String name) {
    return find(name).orElseThrow(() -> new IllegalArgumentException("no config key " + name));
  }

  /** The known key closest to {@code name} by edit distance, when one is close enough. */
  public static Optional<String> closest(String name) {
    return Suggestions.closest(name, KEYS.keySet());
  }
}
