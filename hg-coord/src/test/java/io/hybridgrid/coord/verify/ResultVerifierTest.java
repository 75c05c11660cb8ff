package io.hybridgrid.coord.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hybridgrid.common.compiler.CompilerIdentity;
import io.hybridgrid.coord.action.ActionCache;
import io.hybridgrid.coord.action.ActionDigest;
import io.hybridgrid.coord.action.ActionOutcome;
import io.hybridgrid.coord.action.ActionSpec;
import io.hybridgrid.coord.cache.CacheKey;
import io.hybridgrid.coord.cache.CacheSettings;
import io.hybridgrid.coord.cache.TieredResultCache;
import io.hybridgrid.coord.cas.CasSettings;
import io.hybridgrid.coord.cas.ContentStore;
import io.hybridgrid.coord.cas.Digest;
import io.hybridgrid.coord.metrics.GridMetrics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The verifier's decisions with a fake grid (re-runs the test answers by hand) and injected
 * randomness: who is stored when, who is quarantined, what is purged, which results are sampled.
 */
class ResultVerifierTest {
  static final CompilerIdentity GCC =
      new CompilerIdentity("gcc", "12.2.0", "x86_64-linux-gnu", false);
  static final String GOOD = "\u007fELF good object";
  static final String BAD = "\u007fELF bad object!";

  @TempDir Path dir;
  ContentStore cas;
  TieredResultCache results;
  ActionCache cache;
  final FakeGrid grid = new FakeGrid();
  final WorkerTrust trust = new WorkerTrust();
  final Map<String, Integer> outcomes = new LinkedHashMap<>();
  final List<String> quarantines = new ArrayList<>();
  final GridMetrics metrics =
      new GridMetrics() {
        @Override
        public void verification(String outcome) {
          outcomes.merge(outcome, 1, Integer::sum);
        }

        @Override
        public void quarantined(String workerId) {
          quarantines.add(workerId);
        }
      };
  final Deque<Double> randoms = new ArrayDeque<>();

  @BeforeEach
  void start() throws Exception {
    cas = new ContentStore(CasSettings.defaults(dir.resolve("cas")), Clock.systemUTC()).start();
    results =
        new TieredResultCache(
                new CacheSettings(true, 1 << 20, dir.resolve("cache"), 0),
                Clock.systemUTC(),
                Executors.newSingleThreadExecutor())
            .start();
    cache = new ActionCache(results, cas, grid::isQuarantined);
    for (String s : List.of(GOOD, BAD)) {
      cas.put(Digest.of(utf8(s)), utf8(s), false);
    }
  }

  @AfterEach
  void stop() {
    results.close();
    cas.close();
  }

  ResultVerifier verifier(double rate) {
    return new ResultVerifier(
        new VerifySettings(rate, 8), randoms::removeFirst, grid, cache, trust, metrics);
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static ActionSpec action(String source) {
    return new ActionSpec(
        List.of("gcc", "-c", source, "-o", "x.o"),
        "/p",
        new TreeMap<>(),
        List.of(new ActionSpec.InputFile("/p/" + source, Digest.of(utf8(source)), false)),
        List.of(),
        List.of(),
        List.of("/p/x.o"),
        GCC,
        "/usr/bin/gcc",
        ActionSpec.Toolchain.NONE);
  }

  static ActionOutcome outcome(String worker, String object) {
    return new ActionOutcome(
        0,
        List.of(new ActionOutcome.OutputFile("/p/x.o", Digest.of(utf8(object)), false, null)),
        new byte[0],
        utf8("warning: w\n"),
        worker,
        100);
  }

  /** Re-runs wait for the test; quarantine and events are recorded. */
  static final class FakeGrid implements VerifyGrid {
    record Rerun(Set<String> excluded, CompletableFuture<ActionOutcome> answer) {}

    final Deque<Rerun> reruns = new ArrayDeque<>();
    final Map<String, String> quarantined = new LinkedHashMap<>();
    final List<String> events = new ArrayList<>();

    @Override
    public CompletableFuture<ActionOutcome> rerun(
        ActionSpec action, CacheKey digest, Set<String> excluded) {
      Rerun r = new Rerun(excluded, new CompletableFuture<>());
      reruns.add(r);
      return r.answer;
    }

    @Override
    public boolean quarantine(String workerId, String reason) {
      return quarantined.putIfAbsent(workerId, reason) == null;
    }

    @Override
    public boolean isQuarantined(String workerId) {
      return quarantined.containsKey(workerId);
    }

    @Override
    public void event(String workerId, String reason) {
      events.add(workerId + ": " + reason);
    }

    Rerun next() {
      Rerun r = reruns.pollFirst();
      assertTrue(r != null, "a re-run was asked for");
      return r;
    }
  }

  String served(CacheKey key) {
    return cache
        .get(key)
        .map(o -> o.outputs().get(0).digest().equals(Digest.of(utf8(GOOD))) ? "good" : "bad")
        .orElse("nothing");
  }

  @Test
  void anUntrustedResultIsServedOnlyAfterADifferentWorkerReproducedIt() {
    trust.registered("a", Trust.UNTRUSTED);
    trust.registered("b", Trust.UNTRUSTED);
    ActionSpec act = action("one.c");
    CacheKey key = ActionDigest.of(act);
    verifier(0).offer(act, key, outcome("a", GOOD));
    assertEquals("nothing", served(key), "not served before verification");
    FakeGrid.Rerun r = grid.next();
    assertEquals(Set.of("a"), r.excluded(), "never re-run on the producer");
    r.answer().complete(outcome("b", GOOD));
    assertEquals("good", served(key));
    assertEquals(Map.of("match", 1), outcomes);
    assertTrue(quarantines.isEmpty());
  }

  @Test
  void anUntrustedResultNobodyCouldReproduceIsNeverServed() {
    trust.registered("a", Trust.UNTRUSTED);
    ActionSpec act = action("one.c");
    CacheKey key = ActionDigest.of(act);
    verifier(0).offer(act, key, outcome("a", GOOD));
    grid.next().answer().completeExceptionally(new IllegalStateException("no other worker"));
    assertEquals("nothing", served(key));
    assertEquals(Map.of("unverified", 1), outcomes);
  }

  @Test
  void aLiarAgainstTwoHonestUntrustedWorkersIsQuarantinedAndPurged() {
    trust.registered("evil", Trust.UNTRUSTED);
    trust.registered("h1", Trust.UNTRUSTED);
    trust.registered("h2", Trust.UNTRUSTED);
    ResultVerifier v = verifier(0);
    // An earlier entry of the liar that happened to be verified: purged with the rest.
    ActionSpec earlier = action("earlier.c");
    CacheKey earlierKey = ActionDigest.of(earlier);
    v.offer(earlier, earlierKey, outcome("evil", GOOD));
    grid.next().answer().complete(outcome("h1", GOOD));
    assertEquals("good", served(earlierKey));

    ActionSpec act = action("one.c");
    CacheKey key = ActionDigest.of(act);
    v.offer(act, key, outcome("evil", BAD));
    grid.next().answer().complete(outcome("h1", GOOD));
    assertEquals("nothing", served(key), "an untrusted verifier does not decide alone");
    assertTrue(quarantines.isEmpty());
    FakeGrid.Rerun third = grid.next();
    assertEquals(Set.of("evil", "h1"), third.excluded());
    third.answer().complete(outcome("h2", GOOD));
    assertEquals(List.of("evil"), quarantines);
    assertEquals("good", served(key), "the reproduced result is shared");
    assertEquals("nothing", served(earlierKey), "everything the liar wrote is purged");
    assertTrue(grid.events.get(0).startsWith("evil: purged 1 "), grid.events.toString());
  }

  @Test
  void aLyingVerifierCannotGetAnHonestProducerQuarantined() {
    trust.registered("honest", Trust.UNTRUSTED);
    trust.registered("evil", Trust.UNTRUSTED);
    trust.registered("third", Trust.UNTRUSTED);
    ActionSpec act = action("one.c");
    CacheKey key = ActionDigest.of(act);
    verifier(0).offer(act, key, outcome("honest", GOOD));
    grid.next().answer().complete(outcome("evil", BAD));
    grid.next().answer().complete(outcome("third", GOOD));
    assertEquals(List.of("evil"), quarantines);
    assertFalse(grid.isQuarantined("honest"));
    assertEquals("good", served(key));
  }

  @Test
  void withoutAThirdOpinionNothingIsStoredNobodyIsQuarantinedAndAnEventSaysSo() {
    trust.registered("a", Trust.UNTRUSTED);
    trust.registered("b", Trust.UNTRUSTED);
    ActionSpec act = action("one.c");
    CacheKey key = ActionDigest.of(act);
    verifier(0).offer(act, key, outcome("a", GOOD));
    grid.next().answer().complete(outcome("b", BAD));
    grid.next().answer().completeExceptionally(new IllegalStateException("no third worker"));
    assertEquals("nothing", served(key));
    assertTrue(quarantines.isEmpty());
    assertEquals(1, outcomes.get("undecided"));
    assertTrue(grid.events.get(0).contains("nothing stored"), grid.events.toString());
  }

  @Test
  void aTrustedVerifierDecidesAlone() {
    trust.registered("evil", Trust.UNTRUSTED);
    trust.registered("boss", Trust.TRUSTED);
    ActionSpec act = action("one.c");
    CacheKey key = ActionDigest.of(act);
    verifier(0).offer(act, key, outcome("evil", BAD));
    grid.next().answer().complete(outcome("boss", GOOD));
    assertTrue(grid.reruns.isEmpty(), "no third run");
    assertEquals(List.of("evil"), quarantines);
    assertEquals("good", served(key));
  }

  @Test
  void trustedResultsAreSampledAtTheRateAndSampledOnesWaitForTheirVerdict() {
    trust.registered("t", Trust.TRUSTED);
    trust.registered("h", Trust.TRUSTED);
    ResultVerifier v = verifier(0.25);
    randoms.addAll(List.of(0.9, 0.1));
    ActionSpec notSampled = action("a.c");
    v.offer(notSampled, ActionDigest.of(notSampled), outcome("t", GOOD));
    assertEquals("good", served(ActionDigest.of(notSampled)), "stored at once");
    assertTrue(grid.reruns.isEmpty(), "0.9 >= 0.25: not sampled");

    ActionSpec sampled = action("b.c");
    CacheKey key = ActionDigest.of(sampled);
    v.offer(sampled, key, outcome("t", BAD));
    assertEquals("nothing", served(key), "a sampled result waits for its verdict");
    grid.next().answer().complete(outcome("h", GOOD));
    assertEquals(List.of("t"), quarantines);
    assertEquals("good", served(key));
    assertEquals("nothing", served(ActionDigest.of(notSampled)), "the liar's earlier entry purged");
  }

  @Test
  void aSampledTrustedResultNoOneCanReRunIsStoredAnyway() {
    trust.registered("t", Trust.TRUSTED);
    randoms.add(0.0);
    ActionSpec act = action("a.c");
    CacheKey key = ActionDigest.of(act);
    verifier(1).offer(act, key, outcome("t", GOOD));
    grid.next().answer().completeExceptionally(new IllegalStateException("alone"));
    assertEquals("good", served(key));
  }

  @Test
  void openModeWorkersAreStoredAtOnceAndNeverSampled() {
    trust.registered("w", Trust.OPEN);
    ActionSpec act = action("a.c");
    verifier(1).offer(act, ActionDigest.of(act), outcome("w", GOOD));
    assertTrue(grid.reruns.isEmpty());
    assertEquals("good", served(ActionDigest.of(act)));
  }

  @Test
  void aQuarantinedWorkersResultsAreNeitherStoredNorServed() {
    trust.registered("t", Trust.OPEN);
    ActionSpec act = action("a.c");
    CacheKey key = ActionDigest.of(act);
    verifier(0).offer(act, key, outcome("t", GOOD));
    grid.quarantine("t", "test");
    assertEquals("nothing", served(key), "its entry is a miss even before any purge");
    ActionSpec other = action("b.c");
    verifier(0).offer(other, ActionDigest.of(other), outcome("t", GOOD));
    assertEquals("nothing", served(ActionDigest.of(other)));
  }

  @Test
  void verificationsAreBoundedAndOnePerAction() {
    trust.registered("a", Trust.UNTRUSTED);
    ResultVerifier v =
        new ResultVerifier(new VerifySettings(0, 1), () -> 0, grid, cache, trust, metrics);
    ActionSpec one = action("a.c");
    v.offer(one, ActionDigest.of(one), outcome("a", GOOD));
    v.offer(one, ActionDigest.of(one), outcome("a", GOOD));
    ActionSpec two = action("b.c");
    v.offer(two, ActionDigest.of(two), outcome("a", GOOD));
    assertEquals(1, grid.reruns.size());
    assertEquals(2, outcomes.get("skipped"));
    assertEquals(1, v.pending());
    grid.next().answer().complete(outcome("b", GOOD));
    assertEquals(0, v.pending());
  }
}
