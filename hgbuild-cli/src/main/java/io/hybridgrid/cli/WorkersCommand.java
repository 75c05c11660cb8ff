package io.hybridgrid.cli;

import io.hybridgrid.proto.v1.ListWorkersRequest;
import io.hybridgrid.proto.v1.ListWorkersResponse;
import io.hybridgrid.proto.v1.WorkerInfo;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code hgbuild workers}: the connected workers. */
@Command(name = "workers", mixinStandardHelpOptions = true, description = "List connected workers.")
final class WorkersCommand implements Callable<Integer> {
  @ParentCommand Main parent;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws InterruptedException {
    return parent.withStatus(
        spec,
        stub -> {
          ListWorkersResponse r = stub.listWorkers(ListWorkersRequest.getDefaultInstance());
          PrintWriter out = spec.commandLine().getOut();
          out.printf(
              "%-28s %-9s %6s %6s %9s %7s  %s%n",
              "WORKER", "STATE", "SLOTS", "BUSY", "COMPLETED", "FAILED", "COMPILERS");
          for (WorkerInfo w : r.getWorkersList()) {
            String compilers =
                w.getCapabilities().getCompilersList().stream()
                    .map(
                        c ->
                            (c.getCxxDriver() ? c.getFamily() + "/c++" : c.getFamily())
                                + " "
                                + c.getTarget())
                    .distinct()
                    .collect(Collectors.joining(", "));
            out.printf(
                "%-28s %-9s %6d %6d %9d %7d  %s%n",
                w.getWorkerId(),
                w.getState(),
                w.getCapabilities().getMaxParallel(),
                w.getActiveTasks(),
                w.getTasksCompleted(),
                w.getTasksFailed(),
                compilers);
          }
          out.flush();
          return 0;
        });
  }
}
