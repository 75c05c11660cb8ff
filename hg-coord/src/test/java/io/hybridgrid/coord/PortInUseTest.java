package io.hybridgrid.coord;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** A port another process holds: hg-coord names the port and the flag, and exits 1. */
class PortInUseTest {
  @TempDir Path tmp;

  private String serve(String grpcPort, String httpPort) {
    StringWriter err = new StringWriter();
    CommandLine cl = new CommandLine(new Main());
    cl.setErr(new PrintWriter(err, true));
    int exit =
        cl.execute(
            "serve",
            "--no-mdns",
            "--bind",
            "127.0.0.1",
            "--grpc-port",
            grpcPort,
            "--http-port",
            httpPort,
            "--state-dir",
            tmp.toString());
    assertEquals(1, exit, err.toString());
    return err.toString().strip();
  }

  @Test
  void takenGrpcPortNamesItAndTheFlag() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      int port = taken.getLocalPort();
      assertEquals(
          "hg-coord: cannot listen on 127.0.0.1:"
              + port
              + " (gRPC, --grpc-port): address already in use (another hg-coord running?). Stop"
              + " what holds it (ss -ltnp 'sport = :"
              + port
              + "' names it) or choose another port with --grpc-port (config key"
              + " coord.grpc_port, HG_COORD_GRPC_PORT).",
          serve(Integer.toString(port), "0"));
    }
  }

  @Test
  void takenHttpPortNamesItAndTheFlag() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      int port = taken.getLocalPort();
      assertEquals(
          "hg-coord: cannot listen on 127.0.0.1:"
              + port
              + " (HTTP, --http-port): address already in use (another hg-coord running?). Stop"
              + " what holds it (ss -ltnp 'sport = :"
              + port
              + "' names it) or choose another port with --http-port (config key"
              + " coord.http_port, HG_COORD_HTTP_PORT).",
          serve("0", Integer.toString(port)));
    }
  }

  @Test
  void healthSaysWhetherTheCoordinatorAnswers() throws Exception {
    com.sun.net.httpserver.HttpServer http =
        com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
    http.createContext(
        "/health",
        x -> {
          x.sendResponseHeaders(200, 2);
          x.getResponseBody().write("ok".getBytes(java.nio.charset.StandardCharsets.UTF_8));
          x.close();
        });
    http.start();
    String url = "http://127.0.0.1:" + http.getAddress().getPort() + "/health";
    try {
      assertEquals(0, new CommandLine(new Main()).execute("health", "--url", url));
    } finally {
      http.stop(0);
    }
    StringWriter err = new StringWriter();
    CommandLine cl = new CommandLine(new Main());
    cl.setErr(new PrintWriter(err, true));
    assertEquals(1, cl.execute("health", "--url", url));
    org.junit.jupiter.api.Assertions.assertTrue(
        err.toString().startsWith("hg-coord: cannot reach " + url), err.toString());
  }
}
