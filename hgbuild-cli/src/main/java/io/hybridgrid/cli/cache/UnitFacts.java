package io.hybridgrid.cli.cache;

import java.util.List;

/**
 * What the cache needs to know about the files one compile read: their names as the compiler
 * spelled them (relative to the working directory or absolute, the main source first, from the
 * dependency scan) and the time macros their text mentions.
 *
 * @param files the file names, the main source included
 * @param macros the time macros anywhere in those files
 */
public record UnitFacts(List<String> files, TimeMacros macros) {

  public UnitFacts {
    files = List.copyOf(files);
  }
}
