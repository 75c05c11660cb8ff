package io.hybridgrid.worker;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Just enough ELF64 reading to say which sections of two objects differ. */
public final class Elf {
  private Elf() {}

  /** Section name to contents, in section header order. */
  public static Map<String, byte[]> sections(byte[] object) {
    ByteBuffer b = ByteBuffer.wrap(object).order(ByteOrder.LITTLE_ENDIAN);
    if (object.length < 64 || b.getInt(0) != 0x464c457f || object[4] != 2) {
      throw new IllegalArgumentException("not a little-endian ELF64 file");
    }
    long shoff = b.getLong(0x28);
    int shentsize = Short.toUnsignedInt(b.getShort(0x3a));
    int shnum = Short.toUnsignedInt(b.getShort(0x3c));
    int shstrndx = Short.toUnsignedInt(b.getShort(0x3e));
    int strtab = (int) (shoff + (long) shstrndx * shentsize);
    int namesAt = (int) b.getLong(strtab + 0x18);
    Map<String, byte[]> out = new LinkedHashMap<>();
    for (int i = 1; i < shnum; i++) {
      int h = (int) (shoff + (long) i * shentsize);
      int nameOff = b.getInt(h);
      int type = b.getInt(h + 4);
      int offset = (int) b.getLong(h + 0x18);
      int size = (int) b.getLong(h + 0x20);
      int end = namesAt + nameOff;
      while (object[end] != 0) {
        end++;
      }
      String name =
          new String(
              object, namesAt + nameOff, end - namesAt - nameOff, StandardCharsets.ISO_8859_1);
      // SHT_NOBITS (.bss) has a size but no bytes in the file.
      out.put(name, type == 8 ? new byte[0] : Arrays.copyOfRange(object, offset, offset + size));
    }
    return out;
  }

  /** Names of the sections whose presence or contents differ. */
  public static List<String> differingSections(byte[] a, byte[] b) {
    Map<String, byte[]> sa = sections(a);
    Map<String, byte[]> sb = sections(b);
    List<String> out = new ArrayList<>();
    for (Map.Entry<String, byte[]> e : sa.entrySet()) {
      byte[] other = sb.get(e.getKey());
      if (other == null || !Arrays.equals(e.getValue(), other)) {
        out.add(e.getKey());
      }
    }
    for (String name : sb.keySet()) {
      if (!sa.containsKey(name)) {
        out.add(name);
      }
    }
    return out;
  }
}
