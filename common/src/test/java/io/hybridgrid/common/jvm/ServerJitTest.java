package io.hybridgrid.common.jvm;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.Map;
import javax.management.ObjectName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ServerJitTest {
  @BeforeEach
  @AfterEach
  void clearDirectives() throws Exception {
    dcmd("compilerDirectivesClear");
  }

  @Test
  void byDefaultC2IsLeftOnlyToSha256() throws Exception {
    String said = ServerJit.apply(Map.of());

    assertTrue(said.startsWith("JIT: C1, C2 for SHA-256 only"), said);
    String printed = dcmd("compilerDirectivesPrint");
    assertTrue(printed.contains("sun/security/provider/SHA2.*"), printed);
    // the catch-all comes last and excludes C2; the SHA-256 directive before it does not
    int sha = printed.indexOf("sun/security/provider/SHA2.*");
    int all = printed.indexOf("matching: *.*");
    assertTrue(sha >= 0 && all > sha, printed);
    String allC2 = printed.substring(printed.indexOf("c2 directives", all));
    assertTrue(allC2.contains("Exclude:true"), allC2);
    String shaC2 = printed.substring(printed.indexOf("c2 directives", sha), all);
    assertTrue(shaC2.contains("Exclude:false"), shaC2);
  }

  @Test
  void tieredLeavesTheJvmAlone() throws Exception {
    String said = ServerJit.apply(Map.of(ServerJit.ENV, "tiered"));

    assertTrue(said.contains("own tiered"), said);
    assertFalse(dcmd("compilerDirectivesPrint").contains("SHA2"));
  }

  @Test
  void anUnknownChoiceIsNamedAndTheDefaultApplies() throws Exception {
    String said = ServerJit.apply(Map.of(ServerJit.ENV, "fast"));

    assertTrue(said.contains("'fast' is neither 'c1' nor 'tiered'"), said);
    assertTrue(dcmd("compilerDirectivesPrint").contains("SHA2"));
  }

  private static String dcmd(String op) throws Exception {
    return String.valueOf(
        ManagementFactory.getPlatformMBeanServer()
            .invoke(
                new ObjectName("com.sun.management:type=DiagnosticCommand"),
                op,
                new Object[] {new String[0]},
                new String[] {String[].class.getName()}));
  }
}
