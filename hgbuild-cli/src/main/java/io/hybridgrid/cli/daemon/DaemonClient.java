package io.hybridgrid.cli.daemon;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/** The Java side of a launcher, for control requests ({@code hgbuild daemon --stop}) and tests. */
public final class DaemonClient {
  private DaemonClient() {}

  /**
   * A daemon's answer.
   *
   * @param exitCode the exit frame's code, or -1 when the request was refused
   * @param stdout what came in stdout frames
   * @param stderr what came in stderr frames
   * @param refusal the refusal's text, or null
   */
  public record Reply(int exitCode, String stdout, String stderr, String refusal) {}

  /**
   * Sends {@code request} to the daemon on {@code socket}.
   *
   * @return the answer, or empty when no daemon listens there
   * @throws ProtocolException when the daemon's answer breaks the protocol or stops early
   */
  public static Optional<Reply> call(Path socket, LauncherRequest request) throws IOException {
    SocketChannel ch;
    try {
      ch = SocketChannel.open(StandardProtocolFamily.UNIX);
      ch.connect(UnixDomainSocketAddress.of(socket));
    } catch (ConnectException | NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      if (e.getMessage() != null && e.getMessage().contains("No such file")) {
        return Optional.empty();
      }
      throw e;
    }
    try (ch) {
      request.write(new FrameWriter(Channels.newOutputStream(ch)));
      FrameReader reader = new FrameReader(Channels.newInputStream(ch), Long.MAX_VALUE);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      for (; ; ) {
        Frame f;
        try {
          f = reader.next();
        } catch (EOFException e) {
          throw new ProtocolException("the daemon closed the connection before the exit code");
        }
        switch (f.type()) {
          case Frame.STDOUT -> out.writeBytes(f.payload());
          case Frame.STDERR -> err.writeBytes(f.payload());
          case Frame.EXIT -> {
            if (f.payload().length != 4) {
              throw new ProtocolException("the exit frame holds 4 bytes");
            }
            return Optional.of(
                new Reply(
                    ByteBuffer.wrap(f.payload()).getInt(),
                    out.toString(StandardCharsets.UTF_8),
                    err.toString(StandardCharsets.UTF_8),
                    null));
          }
          case Frame.REFUSED -> {
            return Optional.of(
                new Reply(
                    -1,
                    out.toString(StandardCharsets.UTF_8),
                    err.toString(StandardCharsets.UTF_8),
                    f.text()));
          }
          default ->
              throw new ProtocolException(
                  "unexpected frame type " + Frame.describe(f.type()) + " from the daemon");
        }
      }
    }
  }

  /** Whether a daemon listens on {@code socket} and answers a ping. */
  public static boolean answers(Path socket) {
    try {
      return call(socket, LauncherRequest.control(LauncherRequest.Kind.PING))
          .map(r -> r.exitCode() == 0)
          .orElse(false);
    } catch (IOException e) {
      return false;
    }
  }
}
