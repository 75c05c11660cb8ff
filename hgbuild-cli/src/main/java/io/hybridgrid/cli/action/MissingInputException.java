package io.hybridgrid.cli.action;

/**
 * A file the compile reads vanished or changed between finding the inputs and sending them: the
 * client says which and compiles locally.
 */
public final class MissingInputException extends Exception {
  private static final long serialVersionUID = 1L;

  private final String path;

  public MissingInputException(String path, String why) {
    super(path + ": " + why);
    this.path = path;
  }

  /** The absolute path of the input. */
  public String path() {
    return path;
  }
}
