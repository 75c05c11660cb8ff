package io.hybridgrid.common.auth;

import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The one table of which roles may call which gRPC method, by full method name. A method that is
 * not listed is refused to everyone (deny by default), so a new service is one line here. {@code
 * admin} may call every listed method.
 */
public final class MethodAccess {
  /** Methods anyone may call without a token (load balancer and orchestrator probes). */
  private static final Set<String> PUBLIC =
      Set.of("grpc.health.v1.Health/Check", "grpc.health.v1.Health/Watch");

  private static final Set<Role> CLIENT = EnumSet.of(Role.CLIENT);
  private static final Set<Role> WORKERS = EnumSet.of(Role.WORKER, Role.TRUSTED_WORKER);
  private static final Set<Role> CLIENT_OR_WORKER =
      EnumSet.of(Role.CLIENT, Role.WORKER, Role.TRUSTED_WORKER);

  /** For methods that change the coordinator's state: only {@code admin}, which passes all. */
  static final Set<Role> ADMIN_ONLY = EnumSet.noneOf(Role.class);

  private static final Map<String, Set<Role>> TABLE =
      Map.ofEntries(
          Map.entry("hybridgrid.v1.CompileService/Compile", CLIENT),
          Map.entry("hybridgrid.v1.WorkerService/Session", WORKERS),
          Map.entry("hybridgrid.v1.StatusService/ListWorkers", CLIENT),
          Map.entry("hybridgrid.v1.StatusService/GetStats", CLIENT),
          Map.entry("hybridgrid.v1.StatusService/ListEvents", CLIENT),
          // What clients report (local hits, fallbacks) and the build and running-task views.
          Map.entry("hybridgrid.v1.ActivityService/ReportClientTasks", CLIENT),
          Map.entry("hybridgrid.v1.ActivityService/ListBuilds", CLIENT),
          Map.entry("hybridgrid.v1.ActivityService/ListRunningTasks", CLIENT),
          // The content store: clients upload inputs and read outputs; workers read inputs and
          // write their outputs (which enter the shared cache only through verification).
          Map.entry("hybridgrid.v1.ContentStore/FindMissingBlobs", CLIENT_OR_WORKER),
          Map.entry("hybridgrid.v1.ContentStore/BatchUpdateBlobs", CLIENT_OR_WORKER),
          Map.entry("hybridgrid.v1.ContentStore/BatchReadBlobs", CLIENT_OR_WORKER),
          Map.entry("hybridgrid.v1.ContentStore/WriteBlob", CLIENT_OR_WORKER),
          Map.entry("hybridgrid.v1.ContentStore/ReadBlob", CLIENT_OR_WORKER));

  // State-changing administration (drain, purge) goes in with ADMIN_ONLY when it is added.

  private MethodAccess() {}

  /** Whether {@code method} may be called without a token. */
  public static boolean isPublic(String fullMethodName) {
    return PUBLIC.contains(fullMethodName);
  }

  /**
   * Why {@code identity} may not call {@code method}, or empty when it may.
   *
   * @param fullMethodName as gRPC names it: {@code package.Service/Method}
   */
  public static Optional<String> denial(String fullMethodName, Identity identity) {
    if (isPublic(fullMethodName)) {
      return Optional.empty();
    }
    Set<Role> allowed = TABLE.get(fullMethodName);
    if (allowed == null) {
      return Optional.of(fullMethodName + " is not a method this coordinator allows");
    }
    if (identity.has(Role.ADMIN)) {
      return Optional.empty();
    }
    for (Role r : allowed) {
      if (identity.has(r)) {
        return Optional.empty();
      }
    }
    return Optional.of(
        "'"
            + identity.name()
            + "' ("
            + identity.roles()
            + ") may not call "
            + fullMethodName
            + "; that needs a token with role "
            + (allowed.isEmpty() ? "admin" : allowed + " or admin"));
  }
}
