package io.hybridgrid.cli.discovery;

import io.hybridgrid.cli.compile.ClientSettings;
import io.hybridgrid.common.concurrent.DaemonThreads;
import io.hybridgrid.common.config.EnvFlags;
import io.hybridgrid.common.discovery.CoordinatorLookup;
import io.hybridgrid.common.discovery.DiscoveredCoordinator;
import io.hybridgrid.common.discovery.MdnsLookup;
import io.hybridgrid.common.grpc.HostPort;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where hgbuild finds hg-coord, first match wins:
 *
 * <ol>
 *   <li>{@code -C HOST:PORT};
 *   <li>{@code HG_COORDINATOR};
 *   <li>(unless {@code --no-mdns} or {@code HG_NO_MDNS=1}) the remembered mDNS answer in {@link
 *       RememberedCoordinator}; when it is older than {@code refreshAfter} it is still used, and
 *       one lookup refreshes it in the background (the file is stamped first, so concurrent
 *       compiles do not all look);
 *   <li>with nothing remembered, one lookup bounded by {@code lookupTimeout}, whose answer (found
 *       or not) is remembered;
 *   <li>{@value ClientSettings#DEFAULT_COORDINATOR}.
 * </ol>
 *
 * So a compile waits for mDNS at most once per {@code refreshAfter} per user, never per compile.
 */
public final class CoordinatorDiscovery {
  private static final Logger log = LoggerFactory.getLogger(CoordinatorDiscovery.class);

  /** How long a remembered answer is used before it is refreshed. */
  public static final Duration REFRESH_AFTER = Duration.ofMinutes(5);

  /**
   * The longest a lookup may take, starting JmDNS included (measured in two network namespaces: an
   * answer after 1.1-1.5 s from a cold JVM).
   */
  public static final Duration LOOKUP_TIMEOUT = Duration.ofSeconds(2);

  /**
   * A resolved address and where it came from.
   *
   * @param address hg-coord's gRPC address
   * @param source {@code -C}, {@code HG_COORDINATOR}, {@code mDNS (remembered)}, {@code mDNS} or
   *     {@code default}
   */
  public record Resolved(HostPort address, String source) {}

  private final CoordinatorLookup lookup;
  private final RememberedCoordinator memory;
  private final Clock clock;
  private final Duration refreshAfter;
  private final Duration lookupTimeout;
  private final Executor background;
  private volatile CompletableFuture<Void> refresh = CompletableFuture.completedFuture(null);

  public CoordinatorDiscovery(
      CoordinatorLookup lookup,
      RememberedCoordinator memory,
      Clock clock,
      Duration refreshAfter,
      Duration lookupTimeout,
      Executor background) {
    this.lookup = Objects.requireNonNull(lookup, "lookup");
    this.memory = Objects.requireNonNull(memory, "memory");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.refreshAfter = Objects.requireNonNull(refreshAfter, "refreshAfter");
    this.lookupTimeout = Objects.requireNonNull(lookupTimeout, "lookupTimeout");
    this.background = Objects.requireNonNull(background, "background");
  }

  /** The real thing: JmDNS, {@code ~/.hybridgrid/coordinator}, refreshes on a daemon thread. */
  public static CoordinatorDiscovery system(Map<String, String> env) {
    return new CoordinatorDiscovery(
        new MdnsLookup(null),
        RememberedCoordinator.inHome(env),
        Clock.systemUTC(),
        REFRESH_AFTER,
        LOOKUP_TIMEOUT,
        r -> DaemonThreads.named("hgbuild-mdns-refresh").newThread(r).start());
  }

  /**
   * Resolves hg-coord's address.
   *
   * @param flag {@code -C}, or null
   * @param env the environment ({@code HG_COORDINATOR}, {@code HG_NO_MDNS})
   * @param noMdnsFlag {@code --no-mdns}
   * @throws IllegalArgumentException when an explicit address is malformed
   */
  public Resolved resolve(String flag, Map<String, String> env, boolean noMdnsFlag)
      throws InterruptedException {
    if (flag != null && !flag.isBlank()) {
      return new Resolved(HostPort.parse(flag), "-C");
    }
    String fromEnv = env.get("HG_COORDINATOR");
    if (fromEnv != null && !fromEnv.isBlank()) {
      return new Resolved(HostPort.parse(fromEnv), "HG_COORDINATOR");
    }
    if (noMdnsFlag || EnvFlags.isSet(env, "HG_NO_MDNS")) {
      return byDefault();
    }
    Optional<RememberedCoordinator.Answer> remembered = memory.read();
    if (remembered.isPresent()) {
      RememberedCoordinator.Answer answer = remembered.get();
      if (!answer.checkedAt().plus(refreshAfter).isAfter(clock.instant())) {
        startRefresh(answer);
      }
      return answer
          .address()
          .map(a -> new Resolved(a, "mDNS (remembered)"))
          .orElseGet(this::byDefault);
    }
    RememberedCoordinator.Answer answer = lookOnce(Optional.empty());
    return answer.address().map(a -> new Resolved(a, "mDNS")).orElseGet(this::byDefault);
  }

  /**
   * Waits (at most the lookup timeout) for a background refresh this object started, so a
   * short-lived process does not exit in the middle of one. Returns at once when none runs.
   */
  public void awaitRefresh() throws InterruptedException {
    try {
      refresh.get(lookupTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      log.debug("mDNS refresh did not finish: {}", e.toString());
    }
  }

  private void startRefresh(RememberedCoordinator.Answer stale) {
    // Stamp first: other compiles starting now keep using the answer instead of looking too.
    memory.write(
        new RememberedCoordinator.Answer(stale.address(), stale.instance(), clock.instant()));
    CompletableFuture<Void> f = new CompletableFuture<>();
    refresh = f;
    background.execute(
        () -> {
          try {
            lookOnce(stale.address().map(a -> stale));
            f.complete(null);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            f.complete(null);
          } catch (RuntimeException e) {
            f.completeExceptionally(e);
          }
        });
  }

  /**
   * One bounded lookup, remembered. When it finds nothing but {@code keep} holds a coordinator
   * found earlier, that one stays remembered: a missed multicast reply should not send every
   * compile to the default address.
   */
  private RememberedCoordinator.Answer lookOnce(Optional<RememberedCoordinator.Answer> keep)
      throws InterruptedException {
    java.time.Instant started = clock.instant();
    Optional<DiscoveredCoordinator> found = lookup.find(lookupTimeout);
    RememberedCoordinator.Answer answer =
        found
            .map(
                d ->
                    new RememberedCoordinator.Answer(
                        Optional.of(d.grpcAddress()), d.instance(), started))
            .orElseGet(
                () ->
                    keep.map(
                            k ->
                                new RememberedCoordinator.Answer(
                                    k.address(), k.instance(), started))
                        .orElse(new RememberedCoordinator.Answer(Optional.empty(), "", started)));
    found.ifPresentOrElse(
        d -> log.debug("mDNS: found {}", d.describe()),
        () -> log.debug("mDNS: no coordinator answered within {} ms", lookupTimeout.toMillis()));
    memory.write(answer);
    return answer;
  }

  private Resolved byDefault() {
    return new Resolved(HostPort.parse(ClientSettings.DEFAULT_COORDINATOR), "default");
  }
}
