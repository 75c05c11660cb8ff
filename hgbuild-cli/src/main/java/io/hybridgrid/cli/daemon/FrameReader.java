package io.hybridgrid.cli.daemon;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/** Reads frames, refusing any that are truncated or larger than the limits. */
final class FrameReader {
  private final DataInputStream in;
  private final long maxTotalBytes;
  private long totalBytes;

  /**
   * @param in the stream to read from
   * @param maxTotalBytes how many bytes, headers included, this reader accepts in all
   */
  FrameReader(InputStream in, long maxTotalBytes) {
    this.in = new DataInputStream(new BufferedInputStream(in, 8 * 1024));
    this.maxTotalBytes = maxTotalBytes;
  }

  /**
   * The next frame.
   *
   * @throws ProtocolException when the stream ends inside a frame or a frame breaks a limit
   * @throws EOFException when the stream ends cleanly between frames
   */
  Frame next() throws IOException {
    int type = in.read();
    if (type < 0) {
      throw new EOFException("connection closed");
    }
    int length;
    try {
      length = in.readInt();
    } catch (EOFException e) {
      throw new ProtocolException(
          "connection closed inside the header of a frame of type " + Frame.describe(type));
    }
    if (length < 0 || length > Frame.MAX_PAYLOAD) {
      throw new ProtocolException(
          "frame of type "
              + Frame.describe(type)
              + " declares "
              + Integer.toUnsignedString(length)
              + " payload bytes; the limit is "
              + Frame.MAX_PAYLOAD);
    }
    totalBytes += 5L + length;
    if (totalBytes > maxTotalBytes) {
      throw new ProtocolException("request is larger than " + maxTotalBytes + " bytes");
    }
    byte[] payload = new byte[length];
    int read = 0;
    while (read < length) {
      int n = in.read(payload, read, length - read);
      if (n < 0) {
        throw new ProtocolException(
            "connection closed after "
                + read
                + " of "
                + length
                + " payload bytes of a frame of type "
                + Frame.describe(type));
      }
      read += n;
    }
    return new Frame((byte) type, payload);
  }
}
