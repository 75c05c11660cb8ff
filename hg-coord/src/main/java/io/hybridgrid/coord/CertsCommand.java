package io.hybridgrid.coord;

import io.hybridgrid.common.tls.LanCertificates;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code hg-coord certs}: a small CA with a server and client certificates for a LAN. */
@Command(
    name = "certs",
    mixinStandardHelpOptions = true,
    description = {
      "Make a CA, a server certificate for hg-coord and client certificates (for mTLS).",
      "Writes ca.pem, ca-key.pem, server.pem, server-key.pem and NAME.pem, NAME-key.pem per"
          + " --client; keys are mode 0600. Nothing is overwritten."
    })
final class CertsCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where to write.")
  Path out;

  @Option(
      names = "--host",
      paramLabel = "NAME",
      description = "A DNS name of the coordinator (repeatable).")
  List<String> hosts = new ArrayList<>();

  @Option(
      names = "--ip",
      paramLabel = "ADDR",
      description = "An IP address of the coordinator (repeatable).")
  List<String> ips = new ArrayList<>();

  @Option(
      names = "--client",
      paramLabel = "NAME",
      description = "Make a client certificate with this CN (repeatable; default: client, worker).")
  List<String> clients = new ArrayList<>();

  @Option(
      names = "--days",
      defaultValue = "825",
      description = "Validity in days (default: ${DEFAULT-VALUE}).")
  int days;

  @Override
  public Integer call() throws Exception {
    if (days <= 0) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--days must be positive");
    }
    List<String> names = clients.isEmpty() ? List.of("client", "worker") : clients;
    List<Path> written =
        new LanCertificates(Clock.systemUTC(), new SecureRandom())
            .generate(out, hosts, ips, names, Duration.ofDays(days));
    var w = spec.commandLine().getOut();
    written.forEach(p -> w.println("wrote " + p));
    w.println(
        "hg-coord serve --tls-cert "
            + out.resolve("server.pem")
            + " --tls-key "
            + out.resolve("server-key.pem")
            + " --tls-ca "
            + out.resolve("ca.pem")
            + " [--tls-require-client-cert]");
    return 0;
  }
}
