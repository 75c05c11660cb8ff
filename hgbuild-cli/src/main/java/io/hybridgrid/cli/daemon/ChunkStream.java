package io.hybridgrid.cli.daemon;

import java.io.IOException;
import java.io.OutputStream;

/** An output stream whose every write becomes one stdout or stderr frame to the launcher. */
final class ChunkStream extends OutputStream {
  private final FrameWriter writer;
  private final byte type;
  private volatile boolean wrote;

  ChunkStream(FrameWriter writer, byte type) {
    this.writer = writer;
    this.type = type;
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    if (len > 0) {
      wrote = true;
      writer.write(type, b, off, len);
    }
  }

  /** Whether anything reached the launcher through this stream. */
  boolean wrote() {
    return wrote;
  }
}
