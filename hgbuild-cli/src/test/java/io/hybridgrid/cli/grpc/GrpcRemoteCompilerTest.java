package io.hybridgrid.cli.grpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.hybridgrid.cli.action.Digest;
import io.hybridgrid.cli.action.FileDigests;
import io.hybridgrid.cli.action.InputRoot;
import io.hybridgrid.cli.action.InputRootBuilder;
import io.hybridgrid.cli.action.MissingInputException;
import io.hybridgrid.cli.action.RemoteAction;
import io.hybridgrid.cli.action.RemoteResult;
import io.hybridgrid.cli.action.ShippedToolchain;
import io.hybridgrid.cli.cache.FileHashes;
import io.hybridgrid.cli.compile.GridUnavailableException;
import io.hybridgrid.common.compiler.CompilerIdentity;
import io.hybridgrid.proto.v1.Action;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gRPC client against an in-process fake coordinator: uploads, memo, retry, downloads. */
class GrpcRemoteCompilerTest {
  private static final CompilerIdentity GCC =
      new CompilerIdentity("gcc", "12.2.0", "x86_64-linux-gnu", false);

  @TempDir Path tmp;

  private final FakeGrid grid = new FakeGrid();
  private final CasMemo memo = new CasMemo(1000);
  private Server server;
  private ManagedChannel channel;
  private Path dir;
  private Path small;
  private Path other;
  private Path large;
  private RemoteAction action;

  @BeforeEach
  void start() throws Exception {
    String name = InProcessServerBuilder.generateName();
    server =
        InProcessServerBuilder.forName(name)
            .directExecutor()
            .addService(grid.cas)
            .addService(grid.compile)
            .build()
            .start();
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    dir = tmp.toRealPath();
    small = Files.writeString(dir.resolve("small.h"), "#define SMALL 1\n");
    other = Files.writeString(dir.resolve("main.c"), "#include \"small.h\"\nint x = SMALL;\n");
    byte[] big = new byte[CasClient.BATCH_BLOB_LIMIT + 12345];
    new Random(7).nextBytes(big);
    large = Files.write(dir.resolve("large.h"), big);
    action = action();
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  private RemoteAction action() throws Exception {
    FileHashes hashes = new FileHashes(Clock.systemUTC());
    InputRootBuilder root =
        new InputRootBuilder(new FileDigests(hashes, Clock.systemUTC()), hashes.scope());
    root.addFile(small.toString());
    root.addFile(other.toString());
    root.addFile(large.toString());
    root.addDirectory(dir.resolve("obj").toString());
    return new RemoteAction(
        List.of("gcc", "-c", "main.c", "-o", "obj/main.o"),
        dir.toString(),
        Map.of("PATH", "/usr/bin", "LC_ALL", "C"),
        root.build(),
        List.of(dir + "/obj/main.o", dir + "/obj/main.d"),
        GCC,
        "/usr/bin/gcc");
  }

  private RemoteResult execute() throws Exception {
    return new GrpcRemoteCompiler(channel, Duration.ofSeconds(30), memo)
        .execute(action, "tester", false);
  }

  private static Digest digest(Path p) throws Exception {
    return Digest.of(Files.readAllBytes(p));
  }

  @Test
  void aShippedToolchainGoesOnTheWireAndIsUploadedOnceForTwoCompilesOfTwoDaemons()
      throws Exception {
    Path cc1 = Files.writeString(dir.resolve("cc1"), "pretend cc1 program");
    Path stddef = Files.writeString(dir.resolve("stddef.h"), "#define NULL 0\n");
    FileDigests digests = new FileDigests(new FileHashes(Clock.systemUTC()), Clock.systemUTC());
    ShippedToolchain tc =
        ShippedToolchain.of(
            "amd64",
            List.of(
                new InputRoot.File(
                    cc1.toString(), digests.digest(cc1).orElseThrow().digest(), true),
                new InputRoot.File(
                    stddef.toString(), digests.digest(stddef).orElseThrow().digest(), false)),
            List.of(new InputRoot.Symlink("/usr/bin/gcc", "gcc-12")));
    action =
        new RemoteAction(
            action.argv(),
            action.cwd(),
            action.env(),
            action.inputs(),
            action.outputPaths(),
            action.compiler(),
            action.compilerPath(),
            tc);
    execute();
    var wire = grid.actions.get(0).getToolchain();
    assertEquals(tc.digest(), wire.getDigest());
    assertEquals(
        io.hybridgrid.common.toolchain.Toolchains.digestOf(wire),
        wire.getDigest(),
        "the coordinator recomputes the same digest from the wire");
    assertEquals(2, wire.getFilesCount());
    assertEquals("amd64", wire.getHostArch());
    assertTrue(grid.uploaded.contains(digest(cc1)));
    int after = grid.uploaded.size();
    execute();
    // Another daemon (a fresh memo) asks the store, which says it has the toolchain.
    new GrpcRemoteCompiler(channel, Duration.ofSeconds(30), new CasMemo(1000))
        .execute(action, "other", false);
    assertEquals(after, grid.uploaded.size(), "the toolchain was uploaded once");
    Digest cc1Digest = digest(cc1);
    assertEquals(1, grid.uploaded.stream().filter(cc1Digest::equals).count(), "cc1 once");
  }

  @Test
  void aColdCompileUploadsEveryInputOnceSmallOnesBatchedLargeOnesStreamed() throws Exception {
    grid.outputs = Map.of(dir + "/obj/main.o", new byte[] {1, 2, 3});

    RemoteResult r = execute();

    assertEquals(0, r.exitCode());
    assertEquals("fake-worker", r.workerId());
    assertEquals("warning: remote\n", new String(r.stderr(), StandardCharsets.UTF_8));
    assertEquals(1, grid.findMissingCalls.get());
    assertEquals(1, grid.batchUpdateCalls.get(), "both small files in one batch");
    assertEquals(1, grid.writeBlobCalls.get(), "the large file streamed");
    assertEquals(
        new HashSet<>(List.of(digest(small), digest(other), digest(large))),
        new HashSet<>(grid.uploaded));
    assertEquals(1, grid.compileCalls.get());
    assertEquals(1, r.outputs().size());
    assertArrayEquals(new byte[] {1, 2, 3}, r.outputs().get(0).content());
  }

  @Test
  void blobsTheStoreHoldsAreNotUploadedAndAWarmCompileAsksNothing() throws Exception {
    grid.store.put(digest(large), Files.readAllBytes(large));

    execute();
    assertEquals(
        new HashSet<>(List.of(digest(small), digest(other))), new HashSet<>(grid.uploaded));
    assertEquals(0, grid.writeBlobCalls.get(), "the large blob was already there");
    assertEquals(2, grid.uploaded.size());

    execute();

    assertEquals(1, grid.findMissingCalls.get(), "the memo vouches for every input");
    assertEquals(2, grid.uploaded.size(), "nothing uploaded again");
    assertEquals(2, grid.compileCalls.get());
  }

  @Test
  void aStoreThatLostBlobsGetsThemAgainAndTheCompileIsRetriedOnce() throws Exception {
    execute();
    int uploadedBefore = grid.uploaded.size();
    grid.store.clear(); // the coordinator restarted with an empty store
    grid.evictBeforeCompile = null;

    RemoteResult r = execute();

    assertEquals(0, r.exitCode());
    assertEquals(3, grid.compileCalls.get(), "first compile, refused compile, retried compile");
    assertEquals(1, grid.findMissingCalls.get(), "the memo skipped FindMissingBlobs");
    assertEquals(uploadedBefore + 3, grid.uploaded.size(), "every lost input uploaded again");
    assertEquals(3, memo.size());
  }

  @Test
  void aBlobEvictedBetweenUploadAndCompileIsUploadedAgain() throws Exception {
    grid.evictBeforeCompile = digest(small);

    RemoteResult r = execute();

    assertEquals(0, r.exitCode());
    assertEquals(2, grid.compileCalls.get());
    assertEquals(4, grid.uploaded.size(), "three inputs, then the evicted one again");
    assertEquals(digest(small), grid.uploaded.get(3));
  }

  @Test
  void aStoreThatKeepsLosingBlobsIsAGridFailureAfterOneRetry() {
    grid.alwaysMissing = true;

    GridUnavailableException e = assertThrows(GridUnavailableException.class, this::execute);

    assertEquals(2, grid.compileCalls.get());
    assertTrue(e.getMessage().startsWith("FAILED_PRECONDITION"), e.getMessage());
    assertEquals(0, memo.size(), "trust in the store is gone");
  }

  @Test
  void outputsNotInlineAreFetchedFromTheStore() throws Exception {
    byte[] object = new byte[CasClient.BATCH_BLOB_LIMIT * 2];
    new Random(1).nextBytes(object);
    byte[] deps = "obj/main.o: main.c small.h\n".getBytes(StandardCharsets.UTF_8);
    grid.inline = false;
    grid.outputs = Map.of(dir + "/obj/main.o", object, dir + "/obj/main.d", deps);

    RemoteResult r = execute();

    Map<String, byte[]> got = new java.util.HashMap<>();
    for (RemoteResult.Output o : r.outputs()) {
      got.put(o.path(), o.content());
      assertEquals(Digest.of(o.content()), o.digest());
    }
    assertArrayEquals(object, got.get(dir + "/obj/main.o"));
    assertArrayEquals(deps, got.get(dir + "/obj/main.d"));
    assertEquals(2, grid.readCalls.get(), "one streamed read, one batch read");
  }

  @Test
  void anInputChangedAfterTheScanIsNamedAndNeverUploaded() throws Exception {
    Files.writeString(small, "#define SMALL 2\n"); // same size, other content

    MissingInputException e = assertThrows(MissingInputException.class, this::execute);

    assertEquals(small.toString(), e.path());
    assertTrue(e.getMessage().contains("changed after the dependency scan"), e.getMessage());
    Digest changed = digest(small);
    assertTrue(grid.uploaded.stream().noneMatch(d -> d.equals(changed)));
    assertEquals(0, grid.compileCalls.get());
  }

  @Test
  void anUnreachableCoordinatorIsAGridFailureAndClearsTheMemo() throws Exception {
    execute();
    assertEquals(3, memo.size());
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);

    GridUnavailableException e = assertThrows(GridUnavailableException.class, this::execute);

    assertTrue(e.getMessage().startsWith("UNAVAILABLE"), e.getMessage());
    assertEquals(0, memo.size());
  }

  @Test
  void theActionOnTheWireIsTheCommandAsGiven() throws Exception {
    execute();

    Action a = grid.actions.get(0);
    assertEquals(action.argv(), a.getArgvList());
    assertEquals(dir.toString(), a.getCwd());
    assertEquals(Map.of("PATH", "/usr/bin", "LC_ALL", "C"), a.getEnvMap());
    assertEquals("/usr/bin/gcc", a.getCompilerPath());
    assertEquals("gcc", a.getCompiler().getFamily());
    assertEquals(List.of(dir + "/obj/main.o", dir + "/obj/main.d"), a.getOutputPathsList());
    assertEquals(
        List.of(large.toString(), other.toString(), small.toString()),
        a.getInputsList().stream().map(f -> f.getPath()).toList(),
        "sorted by path");
    assertEquals(digest(small).hash(), a.getInputs(2).getDigest().getHash());
    assertEquals(Files.size(small), a.getInputs(2).getDigest().getSizeBytes());
    assertEquals(List.of(), a.getDirectoriesList(), "obj does not exist here, so it is not listed");
  }
}
