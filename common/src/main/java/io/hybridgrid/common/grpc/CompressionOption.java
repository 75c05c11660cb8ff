package io.hybridgrid.common.grpc;

import picocli.CommandLine;
import picocli.CommandLine.Option;

/** {@code --compression} of hg-coord serve and hg-worker serve (config key {@code compression}). */
public final class CompressionOption {
  @Option(
      names = "--compression",
      defaultValue = "none",
      converter = Converter.class,
      paramLabel = "none|gzip",
      description =
          "How messages to clients, workers or the coordinator are compressed: none on a LAN,"
              + " gzip over a slow link ($HG_COMPRESSION; default: ${DEFAULT-VALUE}).")
  WireCompression compression = WireCompression.NONE;

  /** The chosen compression. */
  public WireCompression get() {
    return compression;
  }

  /** Parses {@code none} or {@code gzip}; anything else is a usage error naming the choices. */
  public static final class Converter implements CommandLine.ITypeConverter<WireCompression> {
    @Override
    public WireCompression convert(String value) {
      try {
        return WireCompression.parse(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }
}
