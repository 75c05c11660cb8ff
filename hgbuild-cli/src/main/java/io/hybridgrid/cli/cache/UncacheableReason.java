package io.hybridgrid.cli.cache;

import java.util.Optional;

/** Why an invocation's result was not looked up or not stored. */
public enum UncacheableReason {
  LINKING("linking", "link step"),
  MULTIPLE_SOURCES("multiple_sources", "multiple source files"),
  PREPROCESSING_ONLY("preprocessing_only", "preprocessing only (-E)"),
  ASSEMBLY_ONLY("assembly_only", "assembly output (-S) or syntax check"),
  DEPENDENCIES_ONLY("dependencies_only", "dependency generation only (-M)"),
  NO_INPUT("no_input", "no source file"),
  UNSUPPORTED_LANGUAGE("unsupported_language", "assembler, headers or other languages"),
  PROBE("probe", "configure or build-system probe"),
  UNSUPPORTED_OPTION("unsupported_option", "options that make the result unsafe to share"),
  UNKNOWN_COMPILER("unknown_compiler", "compiler is not gcc or clang"),
  TIME_MACRO("time_macro", "__TIME__ without SOURCE_DATE_EPOCH"),
  PREPROCESSING_FAILED("preprocessing_failed", "preprocessing failed"),
  COMPILE_ERROR("compile_error", "compile error"),
  MODIFIED_DURING_COMPILE("modified_during_compile", "a file was modified during the compile"),
  OUTPUT_NOT_READABLE("output_not_readable", "compiler output could not be read back"),
  CACHE_DISABLED("cache_disabled", "cache disabled (HG_NO_CACHE)");

  private final String slug;
  private final String label;

  UncacheableReason(String slug, String label) {
    this.slug = slug;
    this.label = label;
  }

  /** The counter-name suffix, e.g. {@code time_macro}. */
  public String slug() {
    return slug;
  }

  /** What {@code hgbuild stats} prints. */
  public String label() {
    return label;
  }

  /** The reason with this slug. */
  public static Optional<UncacheableReason> fromSlug(String slug) {
    for (UncacheableReason r : values()) {
      if (r.slug.equals(slug)) {
        return Optional.of(r);
      }
    }
    return Optional.empty();
  }

  /** Maps a classifier's "must run locally" reason onto a counted category. */
  public static UncacheableReason fromLocalReason(String reason) {
    if (reason.equals("link step") || reason.contains("linker inputs")) {
      return LINKING;
    }
    if (reason.contains("source files in one command")) {
      return MULTIPLE_SOURCES;
    }
    if (reason.startsWith("preprocess only")) {
      return PREPROCESSING_ONLY;
    }
    if (reason.startsWith("assembly output") || reason.startsWith("syntax check")) {
      return ASSEMBLY_ONLY;
    }
    if (reason.startsWith("dependency generation only")) {
      return DEPENDENCIES_ONLY;
    }
    if (reason.startsWith("no input")
        || reason.startsWith("no source")
        || reason.contains("stdin")) {
      return NO_INPUT;
    }
    if (reason.equals("precompiled header")
        || reason.equals("assembler source")
        || reason.equals("already preprocessed input")
        || reason.startsWith("language not supported")) {
      return UNSUPPORTED_LANGUAGE;
    }
    if (reason.endsWith("probe") || reason.startsWith("probe compile")) {
      return PROBE;
    }
    return UNSUPPORTED_OPTION;
  }
}
