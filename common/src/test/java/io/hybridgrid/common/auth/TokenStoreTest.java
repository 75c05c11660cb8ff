package io.hybridgrid.common.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenStoreTest {
  private static final String A = "0123456789abcdef0123";
  private static final String B = "fedcba9876543210fedc";

  @TempDir Path dir;

  private Path file(String text, String mode) throws Exception {
    Path f = dir.resolve("tokens");
    Files.writeString(f, text);
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(mode));
    return f;
  }

  @Test
  void readsRolesTokensAndNames() throws Exception {
    TokenStore s =
        TokenStore.load(
            file("# comment\n\nclient " + A + " alice\nworker " + B + "\n", "rw-------"));
    assertEquals(Optional.of(Identity.of("alice", Role.CLIENT)), s.authenticate(A));
    assertEquals(Role.WORKER, s.authenticate(B).get().roles().iterator().next());
    assertEquals("worker-4", s.authenticate(B).get().name());
    assertEquals(Optional.empty(), s.authenticate(A + "x"));
    assertEquals(Optional.empty(), s.authenticate(A.substring(1)));
    assertEquals(Optional.empty(), s.authenticate(""));
    assertEquals(Optional.empty(), s.authenticate(null));
  }

  @Test
  void refusesAFileOthersCanRead() throws Exception {
    Path f = file("client " + A + "\n", "rw-r--r--");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> TokenStore.load(f));
    assertTrue(e.getMessage().contains("chmod 600"), e.getMessage());
  }

  @Test
  void errorsNameTheLine() throws Exception {
    for (String[] c :
        new String[][] {
          {"client " + A + "\nroot " + B + "\n", "line 2", "unknown role 'root'"},
          {"client\n", "line 1", "ROLE TOKEN [NAME]"},
          {"client short\n", "line 1", "at least 16"},
          {"client " + A + "\nadmin " + A + "\n", "line 2", "twice"},
          {"client " + A + " a b\n", "line 1", "4 words"},
          {"# nothing\n", "no tokens", ""},
        }) {
      Path f = file(c[0], "rw-------");
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> TokenStore.load(f), c[0]);
      assertTrue(e.getMessage().contains(c[1]) && e.getMessage().contains(c[2]), e.getMessage());
      Files.delete(f);
    }
  }

  @Test
  void roleTableDeniesUnknownMethodsAndLetsAdminDoAll() {
    Identity client = Identity.of("c", Role.CLIENT);
    Identity worker = Identity.of("w", Role.WORKER);
    Identity admin = Identity.of("a", Role.ADMIN);
    assertTrue(MethodAccess.denial("hybridgrid.v1.CompileService/Compile", client).isEmpty());
    assertTrue(MethodAccess.denial("hybridgrid.v1.CompileService/Compile", worker).isPresent());
    assertTrue(MethodAccess.denial("hybridgrid.v1.WorkerService/Session", client).isPresent());
    assertTrue(MethodAccess.denial("hybridgrid.v1.WorkerService/Session", worker).isEmpty());
    assertTrue(
        MethodAccess.denial(
                "hybridgrid.v1.WorkerService/Session", Identity.of("t", Role.TRUSTED_WORKER))
            .isEmpty());
    assertTrue(MethodAccess.denial("hybridgrid.v1.ContentStore/ReadBlob", worker).isEmpty());
    assertTrue(MethodAccess.denial("hybridgrid.v1.StatusService/GetStats", admin).isEmpty());
    assertTrue(MethodAccess.denial("hybridgrid.v1.Nope/Do", admin).isPresent());
    assertTrue(MethodAccess.denial("hybridgrid.v1.Nope/Do", Identity.open()).isPresent());
    assertTrue(MethodAccess.isPublic("grpc.health.v1.Health/Check"));
    assertFalse(MethodAccess.isPublic("hybridgrid.v1.CompileService/Compile"));
  }

  @Test
  void clientTokenFromFileOrEnvironment() throws Exception {
    Path f = file("# mine\n" + A + "\n", "rw-------");
    assertEquals(A, BearerToken.resolve(f, java.util.Map.of("HG_TOKEN", B)));
    assertEquals(B, BearerToken.resolve(null, java.util.Map.of("HG_TOKEN", B)));
    assertEquals(null, BearerToken.resolve(null, java.util.Map.of()));
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-rw----"));
    assertThrows(IllegalArgumentException.class, () -> BearerToken.resolve(f, java.util.Map.of()));
  }
}
