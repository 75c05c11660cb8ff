package io.hybridgrid.e2e;

import static io.hybridgrid.e2e.BuildOutputs.count;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The content-addressed store uploads only what the grid lacks: after a Lua build through the grid,
 * one header is edited and the rebuild uploads exactly that header's new blob (one blob, its size
 * in bytes) and nothing that was uploaded before, although every unit including it compiles
 * remotely again. The edit appends a comment, so no object changes: the only new content anywhere
 * is the header itself, whichever way the store counts.
 */
class CasUploadIT extends TwoWorkerGridTest {
  /**
   * The coordinator's upload counters, read in ONE place so that they follow the field names of GET
   * /api/v1/stats (the Stats message): blobs and bytes clients wrote into the store.
   */
  record CasUploads(long blobs, long bytes) {
    /** The first field name of each list that the stats carry is used. */
    static final List<String> BLOB_FIELDS =
        List.of("cas_blobs_uploaded", "cas_uploaded_blobs", "cas_blobs_written", "blobs_uploaded");

    static final List<String> BYTE_FIELDS =
        List.of("cas_bytes_uploaded", "cas_uploaded_bytes", "cas_bytes_written", "bytes_uploaded");

    static CasUploads of(JsonNode stats) {
      return new CasUploads(field(stats, BLOB_FIELDS), field(stats, BYTE_FIELDS));
    }

    private static long field(JsonNode stats, List<String> names) {
      for (String n : names) {
        if (stats.has(n)) {
          return stats.get(n).asLong();
        }
      }
      throw new AssertionError(
          "GET /api/v1/stats has none of "
              + names
              + " (the coordinator's CAS upload counters); adapt CasUploadIT.CasUploads to the"
              + " names it has: "
              + stats);
    }
  }

  private CasUploads uploads() throws Exception {
    return CasUploads.of(grid.stats());
  }

  @Test
  void editingOneHeaderUploadsOnlyThatHeader(@TempDir Path tmp) throws Exception {
    Optional<Path> src = Workloads.unpack(ROOT, "lua-5.4.4.tar.gz", "lua5.4", tmp);
    Assumptions.assumeTrue(src.isPresent(), "Lua 5.4.4 sources not available");
    Path lua = src.get();
    // The local cache off: every compile, also in the rebuild, goes to the grid.
    Map<String, String> env =
        daemon.env(
            Map.of(
                "HG_COORDINATOR", grid.coordinator(),
                "HG_NO_FALLBACK", "1",
                "HG_VERBOSE", "1",
                "HG_NO_CACHE", "1"));
    String make =
        "make -C src posix -j2 MYCFLAGS='-DHG_CAS_UPLOAD_IT' CC='"
            + grid.hgbuild()
            + " gcc -std=gnu99' 2>&1";

    CasUploads start = uploads();
    Shell.Result first = Shell.run(lua, env, make, 900);
    assertEquals(0, first.exitCode(), first.output());
    assertEquals(34, count(first.output(), "[remote worker-"), first.output());
    CasUploads afterFirst = uploads();
    // Lua's own sources and headers alone are 60 files; the system headers come on top.
    assertTrue(
        afterFirst.blobs() - start.blobs() >= 60,
        "the first build uploaded " + (afterFirst.blobs() - start.blobs()) + " blobs");

    Path header = lua.resolve("src/lundump.h");
    Files.writeString(header, "/* edited by CasUploadIT */\n", StandardOpenOption.APPEND);
    long headerSize = Files.size(header);

    Shell.Result rebuild = Shell.run(lua, env, make, 900);

    assertEquals(0, rebuild.exitCode(), rebuild.output());
    int recompiled = count(rebuild.output(), "[remote worker-");
    assertTrue(
        recompiled >= 2, "the units including lundump.h compiled again:\n" + rebuild.output());
    assertEquals(
        0,
        rebuild.output().lines().filter(l -> l.contains("[local") && l.contains(".c [")).count(),
        "no C compile ran locally:\n" + rebuild.output());
    CasUploads afterRebuild = uploads();
    assertEquals(
        new CasUploads(1, headerSize),
        new CasUploads(
            afterRebuild.blobs() - afterFirst.blobs(), afterRebuild.bytes() - afterFirst.bytes()),
        "the rebuild of " + recompiled + " units uploaded only the edited header");
  }
}
