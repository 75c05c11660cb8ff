package io.hybridgrid.common.compiler;

import java.util.Locale;
import java.util.Optional;

/** Source languages as gcc and clang name them with {@code -x}, and how hgbuild treats each. */
public enum Language {
  C("c", true),
  CXX("c++", true),
  OBJC("objective-c", true),
  OBJCXX("objective-c++", true),
  C_HEADER("c-header", false),
  CXX_HEADER("c++-header", false),
  PREPROCESSED_C("cpp-output", false),
  PREPROCESSED_CXX("c++-cpp-output", false),
  ASSEMBLER("assembler", false),
  ASSEMBLER_WITH_CPP("assembler-with-cpp", false),
  OTHER("", false);

  private final String xName;
  private final boolean distributable;

  Language(String xName, boolean distributable) {
    this.xName = xName;
    this.distributable = distributable;
  }

  /** The name gcc accepts after {@code -x}. */
  public String xName() {
    return xName;
  }

  /** Whether a compile of this language can run on a worker. */
  public boolean distributable() {
    return distributable;
  }

  /** The language named by {@code -x NAME}; empty for {@code -x none}. */
  public static Optional<Language> fromXName(String name) {
    if (name.equals("none")) {
      return Optional.empty();
    }
    for (Language language : values()) {
      if (language != OTHER && language.xName.equals(name)) {
        return Optional.of(language);
      }
    }
    return Optional.of(OTHER);
  }

  /** The language gcc infers from a file name, or empty when gcc would treat it as linker input. */
  public static Optional<Language> fromFileName(String path) {
    int dot = path.lastIndexOf('.');
    int slash = path.lastIndexOf('/');
    if (dot < 0 || dot < slash) {
      return Optional.empty();
    }
    String ext = path.substring(dot + 1);
    switch (ext) {
      case "c":
        return Optional.of(C);
      case "C":
      case "cc":
      case "cp":
      case "cxx":
      case "cpp":
      case "CPP":
      case "c++":
        return Optional.of(CXX);
      case "m":
        return Optional.of(OBJC);
      case "mm":
      case "M":
        return Optional.of(OBJCXX);
      case "h":
        return Optional.of(C_HEADER);
      case "hh":
      case "H":
      case "hp":
      case "hxx":
      case "hpp":
      case "HPP":
      case "h++":
      case "tcc":
        return Optional.of(CXX_HEADER);
      case "i":
        return Optional.of(PREPROCESSED_C);
      case "ii":
        return Optional.of(PREPROCESSED_CXX);
      case "s":
        return Optional.of(ASSEMBLER);
      case "S":
      case "sx":
        return Optional.of(ASSEMBLER_WITH_CPP);
      default:
        break;
    }
    switch (ext.toLowerCase(Locale.ROOT)) {
      case "f":
      case "for":
      case "f90":
      case "f95":
      case "f03":
      case "f08":
      case "go":
      case "d":
      case "ads":
      case "adb":
      case "cu":
      case "cl":
      case "mii":
      case "mi":
        return Optional.of(OTHER);
      default:
        return Optional.empty();
    }
  }
}
