package io.hybridgrid.cli.daemon;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** Writes frames; safe for the stdout and stderr streams of one request to share. */
final class FrameWriter {
  private final DataOutputStream out;

  FrameWriter(OutputStream out) {
    this.out = new DataOutputStream(new BufferedOutputStream(out, 8 * 1024));
  }

  /** Writes one frame and flushes it. Longer data is split into frames of the largest size. */
  synchronized void write(byte type, byte[] data, int offset, int length) throws IOException {
    do {
      int n = Math.min(length, Frame.MAX_PAYLOAD);
      out.writeByte(type);
      out.writeInt(n);
      out.write(data, offset, n);
      offset += n;
      length -= n;
    } while (length > 0);
    out.flush();
  }

  void write(byte type, byte[] data) throws IOException {
    write(type, data, 0, data.length);
  }

  void write(byte type, String text) throws IOException {
    write(type, text.getBytes(StandardCharsets.UTF_8));
  }

  /** The last frame of an answer: the exit code the launcher exits with. */
  void exit(int code) throws IOException {
    write(
        Frame.EXIT,
        new byte[] {(byte) (code >>> 24), (byte) (code >>> 16), (byte) (code >>> 8), (byte) code});
  }

  /** The daemon cannot serve this request: the launcher prints why and compiles locally. */
  void refuse(String why) throws IOException {
    write(Frame.REFUSED, why);
  }
}
