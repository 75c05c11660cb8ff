package io.hybridgrid.common.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Real-world command lines (the arguments after the compiler name) from make, CMake, autotools,
 * meson, ninja, Kbuild and friends, and what the classifier must make of each.
 */
class ArgumentClassifierTest {

  /** One command line and the expected classification. */
  record Case(
      String line,
      boolean distributable,
      String reason,
      String source,
      String object,
      String depFile,
      Language language) {}

  static List<String> split(String line) {
    return List.of(line.trim().split(" +"));
  }

  static CompileInvocation classify(String line) {
    return ArgumentClassifier.classify(split(line));
  }

  private static Arguments remote(
      String name, String line, String source, String object, String depFile, Language language) {
    return Arguments.of(
        Named.of(name, new Case(line, true, null, source, object, depFile, language)));
  }

  private static Arguments local(String name, String line, String reason) {
    return Arguments.of(Named.of(name, new Case(line, false, reason, null, null, null, null)));
  }

  private static final String KERNEL_FLAGS =
      "-nostdinc -I./arch/x86/include -I./arch/x86/include/generated -I./include"
          + " -I./arch/x86/include/uapi -I./arch/x86/include/generated/uapi -I./include/uapi"
          + " -I./include/generated/uapi -include ./include/linux/compiler-version.h"
          + " -include ./include/linux/kconfig.h -include ./include/linux/compiler_types.h"
          + " -D__KERNEL__ -fmacro-prefix-map=./= -Wall -Wundef -Werror=strict-prototypes"
          + " -Wno-trigraphs -fno-strict-aliasing -fno-common -fshort-wchar -fno-PIE"
          + " -Werror=implicit-function-declaration -Werror=implicit-int -Werror=return-type"
          + " -Wno-format-security -std=gnu11 -mno-sse -mno-mmx -mno-sse2 -mno-3dnow -mno-avx"
          + " -fcf-protection=branch -fno-jump-tables -m64 -falign-jumps=1 -falign-loops=1"
          + " -mno-80387 -mno-fp-ret-in-387 -mpreferred-stack-boundary=3 -mskip-rax-setup"
          + " -mtune=generic -mno-red-zone -mcmodel=kernel -Wno-sign-compare"
          + " -fno-asynchronous-unwind-tables -mindirect-branch=thunk-extern"
          + " -mindirect-branch-register -mindirect-branch-cs-prefix"
          + " -mfunction-return=thunk-extern -fno-delete-null-pointer-checks -O2"
          + " -fno-allow-store-data-races -fstack-protector-strong -fno-omit-frame-pointer"
          + " -fno-optimize-sibling-calls -ftrivial-auto-var-init=zero"
          + " -fno-stack-clash-protection -pg -mrecord-mcount -mfentry -DCC_USING_FENTRY"
          + " -fno-strict-overflow -fstack-check=no -fconserve-stack -Wimplicit-fallthrough=5"
          + " -g -gdwarf-5";

  static final String KERNEL_DUMMY =
      "-Wp,-MMD,drivers/net/.dummy.o.d "
          + KERNEL_FLAGS
          + " -DMODULE -DKBUILD_BASENAME=\"dummy\" -DKBUILD_MODNAME=\"dummy\""
          + " -D__KBUILD_MODNAME=kmod_dummy -c -o drivers/net/dummy.o drivers/net/dummy.c";

  static final String LLVM_NINJA =
      "-DGTEST_HAS_RTTI=0 -D_GNU_SOURCE -D__STDC_CONSTANT_MACROS -D__STDC_FORMAT_MACROS"
          + " -D__STDC_LIMIT_MACROS -Ilib/Support -I/src/llvm/lib/Support -Iinclude"
          + " -I/src/llvm/include -fPIC -fno-semantic-interposition -fvisibility-inlines-hidden"
          + " -Werror=date-time -Wall -Wextra -Wno-unused-parameter -Wwrite-strings -Wcast-qual"
          + " -Wno-missing-field-initializers -pedantic -Wno-long-long -Wimplicit-fallthrough"
          + " -Wno-maybe-uninitialized -Wno-class-memaccess -Wno-noexcept-type"
          + " -Wdelete-non-virtual-dtor -Wsuggest-override -Wno-comment"
          + " -Wmisleading-indentation -fdiagnostics-color -ffunction-sections -fdata-sections"
          + " -O3 -DNDEBUG -std=c++17 -fno-exceptions -funwind-tables -fno-rtti"
          + " -MD -MT lib/Support/CMakeFiles/LLVMSupport.dir/APInt.cpp.o"
          + " -MF lib/Support/CMakeFiles/LLVMSupport.dir/APInt.cpp.o.d"
          + " -o lib/Support/CMakeFiles/LLVMSupport.dir/APInt.cpp.o"
          + " -c /src/llvm/lib/Support/APInt.cpp";

  static Stream<Arguments> commandLines() {
    return Stream.of(
        // ---- GNU make projects ----
        remote(
            "Lua 5.4 lapi",
            "-std=gnu99 -O2 -Wall -Wextra -DLUA_COMPAT_5_3 -DLUA_USE_LINUX -c -o lapi.o lapi.c",
            "lapi.c",
            "lapi.o",
            null,
            Language.C),
        remote(
            "Lua 5.4 lvm, make's repeated spaces",
            "-std=gnu99 -O2 -Wall -Wextra -DLUA_COMPAT_5_3 -DLUA_USE_LINUX    -c -o lvm.o lvm.c",
            "lvm.c",
            "lvm.o",
            null,
            Language.C),
        remote(
            "zstd programs debug.c (-MT -MMD -MP -MF)",
            "-O3 -DBACKTRACE_ENABLE=0 -DXXH_NAMESPACE=ZSTD_ -DDEBUGLEVEL=0 -I../lib"
                + " -I../lib/common -Wall -Wextra -Wcast-qual -Wcast-align -Wshadow"
                + " -Wstrict-aliasing=1 -Wswitch-enum -Wdeclaration-after-statement"
                + " -Wstrict-prototypes -Wundef -Wpointer-arith -Wvla -Wformat=2 -Winit-self"
                + " -Wfloat-equal -Wwrite-strings -Wredundant-decls -Wmissing-prototypes"
                + " -Wc++-compat -g -c -MT obj/conf_7f8a/debug.o -MMD -MP"
                + " -MF obj/conf_7f8a/debug.d -o obj/conf_7f8a/debug.o ../lib/common/debug.c",
            "../lib/common/debug.c",
            "obj/conf_7f8a/debug.o",
            "obj/conf_7f8a/debug.d",
            Language.C),
        remote(
            "zstd lib dynamic",
            "-DXXH_NAMESPACE=ZSTD_ -DZSTD_LEGACY_SUPPORT=5 -DZSTD_MULTITHREAD -O3 -fPIC"
                + " -fvisibility=hidden -c -MT obj/conf_abc/dynamic/zstd_compress.o -MMD -MP"
                + " -MF obj/conf_abc/dynamic/zstd_compress.d"
                + " -o obj/conf_abc/dynamic/zstd_compress.o compress/zstd_compress.c",
            "compress/zstd_compress.c",
            "obj/conf_abc/dynamic/zstd_compress.o",
            "obj/conf_abc/dynamic/zstd_compress.d",
            Language.C),
        remote(
            "redis -MMD -o server.o -c server.c",
            "-pedantic -DREDIS_STATIC= -std=c11 -Wall -W -Wno-missing-field-initializers -O2"
                + " -g -ggdb -I../deps/hiredis -I../deps/linenoise -I../deps/lua/src"
                + " -I../deps/hdr_histogram -I../deps/fpconv -MMD -o server.o -c server.c",
            "server.c",
            "server.o",
            "server.d",
            Language.C),
        remote(
            "git -MF/-MQ/-MMD/-MP dep_args",
            "-o builtin/add.o -c -MF builtin/.depend/add.o.d -MQ builtin/add.o -MMD -MP -g -O2"
                + " -Wall -I. -DHAVE_SYSINFO -DGIT_HOST_CPU=\"x86_64\" -DHAVE_ALLOCA_H"
                + " -DSHA1_DC -DSHA1DC_NO_STANDARD_INCLUDES -DSHA256_BLK -DHAVE_PATHS_H"
                + " -DHAVE_DEV_TTY -DHAVE_CLOCK_GETTIME builtin/add.c",
            "builtin/add.c",
            "builtin/add.o",
            "builtin/.depend/add.o.d",
            Language.C),
        remote(
            "nginx with -pipe and separate -I values",
            "-c -pipe -O -W -Wall -Wpointer-arith -Wno-unused-parameter -Werror -g -I src/core"
                + " -I src/event -I src/event/modules -I src/os/unix -I objs"
                + " -o objs/src/core/nginx.o src/core/nginx.c",
            "src/core/nginx.c",
            "objs/src/core/nginx.o",
            null,
            Language.C),
        remote(
            "PostgreSQL backend with --enable-depend",
            "-Wall -Wmissing-prototypes -Wpointer-arith -Wdeclaration-after-statement"
                + " -Werror=vla -Wendif-labels -Wmissing-format-attribute"
                + " -Wimplicit-fallthrough=3 -Wcast-function-type -Wformat-security"
                + " -fno-strict-aliasing -fwrapv -fexcess-precision=standard"
                + " -Wno-format-truncation -Wno-stringop-truncation -O2"
                + " -I../../../../src/include -D_GNU_SOURCE -c -o heapam.o heapam.c"
                + " -MMD -MP -MF .deps/heapam.Po",
            "heapam.c",
            "heapam.o",
            ".deps/heapam.Po",
            Language.C),
        remote(
            "CPython core object",
            "-c -fno-strict-overflow -DNDEBUG -g -O3 -Wall -std=c11 -Wextra"
                + " -Wno-unused-parameter -Wno-missing-field-initializers -Wstrict-prototypes"
                + " -Werror=implicit-function-declaration -fvisibility=hidden"
                + " -I./Include/internal -I. -I./Include -DPy_BUILD_CORE"
                + " -o Objects/listobject.o Objects/listobject.c",
            "Objects/listobject.c",
            "Objects/listobject.o",
            null,
            Language.C),
        remote(
            "OpenSSL with -Wa,--noexecstack and .d.tmp",
            "-I. -Iinclude -Iproviders/common/include -fPIC -pthread -m64 -Wa,--noexecstack"
                + " -Wall -O3 -DOPENSSL_USE_NODELETE -DL_ENDIAN -DOPENSSL_PIC"
                + " -DOPENSSLDIR=\"/usr/local/ssl\" -DENGINESDIR=\"/usr/local/lib/engines-3\""
                + " -DOPENSSL_BUILDING_OPENSSL -DNDEBUG -MMD"
                + " -MF crypto/libcrypto-lib-cversion.d.tmp -MT crypto/libcrypto-lib-cversion.o"
                + " -c -o crypto/libcrypto-lib-cversion.o crypto/cversion.c",
            "crypto/cversion.c",
            "crypto/libcrypto-lib-cversion.o",
            "crypto/libcrypto-lib-cversion.d.tmp",
            Language.C),
        remote(
            "STM32CubeMX Makefile without the listing",
            "-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16 -DUSE_HAL_DRIVER"
                + " -DSTM32F407xx -ICore/Inc -IDrivers/CMSIS/Include -Os -Wall -fdata-sections"
                + " -ffunction-sections -g -gdwarf-2 -MMD -MP -MFbuild/main.d -c Core/Src/main.c"
                + " -o build/main.o",
            "Core/Src/main.c",
            "build/main.o",
            "build/main.d",
            Language.C),
        remote(
            "SQLite amalgamation",
            "-O2 -DSQLITE_THREADSAFE=1 -DSQLITE_ENABLE_FTS5 -DSQLITE_ENABLE_RTREE -c sqlite3.c"
                + " -o sqlite3.o",
            "sqlite3.c",
            "sqlite3.o",
            null,
            Language.C),
        remote(
            "Debian dpkg-buildflags",
            "-g -O2 -ffile-prefix-map=/build/pkg-1.0=. -fstack-protector-strong -Wformat"
                + " -Werror=format-security -Wdate-time -D_FORTIFY_SOURCE=2 -c -o util.o util.c",
            "util.c",
            "util.o",
            null,
            Language.C),
        remote(
            "Arch makepkg CFLAGS (-pipe, -Wp,-D)",
            "-march=x86-64 -mtune=generic -O2 -pipe -fno-plt -fexceptions"
                + " -Wp,-D_FORTIFY_SOURCE=2 -Wformat -Werror=format-security"
                + " -fstack-clash-protection -fcf-protection -c -o main.o main.c",
            "main.c",
            "main.o",
            null,
            Language.C),
        remote(
            "Python setuptools extension",
            "-Wno-unused-result -Wsign-compare -DNDEBUG -g -fwrapv -O2 -Wall -fPIC"
                + " -I/usr/include/python3.11 -c src/mod.c"
                + " -o build/temp.linux-x86_64-cpython-311/src/mod.o",
            "src/mod.c",
            "build/temp.linux-x86_64-cpython-311/src/mod.o",
            null,
            Language.C),
        remote(
            "Boost b2",
            "-ftemplate-depth-1024 -O3 -finline-functions -Wno-inline -Wall -pthread -fPIC -m64"
                + " -DBOOST_ALL_NO_LIB=1 -DBOOST_SYSTEM_DYN_LINK=1 -DNDEBUG -I. -c"
                + " -o bin.v2/libs/system/build/gcc-12/release/threading-multi/error_code.o"
                + " libs/system/src/error_code.cpp",
            "libs/system/src/error_code.cpp",
            "bin.v2/libs/system/build/gcc-12/release/threading-multi/error_code.o",
            null,
            Language.CXX),
        // ---- CMake ----
        remote(
            "CMake Makefiles -MD -MT -MF, absolute source",
            "-MD -MT CMakeFiles/foo.dir/src/foo.c.o -MF CMakeFiles/foo.dir/src/foo.c.o.d"
                + " -o CMakeFiles/foo.dir/src/foo.c.o -c /home/u/proj/src/foo.c",
            "/home/u/proj/src/foo.c",
            "CMakeFiles/foo.dir/src/foo.c.o",
            "CMakeFiles/foo.dir/src/foo.c.o.d",
            Language.C),
        remote(
            "CMake C++ shared library target",
            "-DFOO_EXPORTS -I/home/u/proj/include"
                + " -isystem /home/u/proj/third_party/fmt/include -O2 -g -DNDEBUG -std=gnu++17"
                + " -fPIC -MD -MT src/CMakeFiles/foo.dir/bar.cpp.o"
                + " -MF src/CMakeFiles/foo.dir/bar.cpp.o.d -o src/CMakeFiles/foo.dir/bar.cpp.o"
                + " -c /home/u/proj/src/bar.cpp",
            "/home/u/proj/src/bar.cpp",
            "src/CMakeFiles/foo.dir/bar.cpp.o",
            "src/CMakeFiles/foo.dir/bar.cpp.o.d",
            Language.CXX),
        remote(
            "CMake without compiler dependency files",
            "-I/home/u/proj/include -O3 -DNDEBUG -o CMakeFiles/app.dir/main.c.o"
                + " -c /home/u/proj/main.c",
            "/home/u/proj/main.c",
            "CMakeFiles/app.dir/main.c.o",
            null,
            Language.C),
        remote(
            "CMake source using a precompiled header via -include",
            "-Winvalid-pch -include /home/u/proj/build/CMakeFiles/foo.dir/cmake_pch.hxx"
                + " -std=gnu++17 -MD -MT CMakeFiles/foo.dir/src/a.cpp.o"
                + " -MF CMakeFiles/foo.dir/src/a.cpp.o.d -o CMakeFiles/foo.dir/src/a.cpp.o"
                + " -c /home/u/proj/src/a.cpp",
            "/home/u/proj/src/a.cpp",
            "CMakeFiles/foo.dir/src/a.cpp.o",
            "CMakeFiles/foo.dir/src/a.cpp.o.d",
            Language.CXX),
        remote(
            "CMake Android NDK (clang --target, --sysroot=)",
            "--target=aarch64-none-linux-android21"
                + " --sysroot=/opt/ndk/toolchains/llvm/prebuilt/linux-x86_64/sysroot -DANDROID"
                + " -fdata-sections -ffunction-sections -funwind-tables -fstack-protector-strong"
                + " -no-canonical-prefixes -D_FORTIFY_SOURCE=2 -Wformat -Werror=format-security"
                + " -fPIC -MD -MT CMakeFiles/native.dir/native.cpp.o"
                + " -MF CMakeFiles/native.dir/native.cpp.o.d -o CMakeFiles/native.dir/native.cpp.o"
                + " -c /home/u/app/src/main/cpp/native.cpp",
            "/home/u/app/src/main/cpp/native.cpp",
            "CMakeFiles/native.dir/native.cpp.o",
            "CMakeFiles/native.dir/native.cpp.o.d",
            Language.CXX),
        // ---- ninja ----
        remote(
            "LLVM under ninja",
            LLVM_NINJA,
            "/src/llvm/lib/Support/APInt.cpp",
            "lib/Support/CMakeFiles/LLVMSupport.dir/APInt.cpp.o",
            "lib/Support/CMakeFiles/LLVMSupport.dir/APInt.cpp.o.d",
            Language.CXX),
        remote(
            "ninja's own configure.py build",
            "-MMD -MT build/util.o -MF build/util.o.d -g -Wall -Wextra -Wno-deprecated"
                + " -Wno-missing-field-initializers -Wno-unused-parameter -fno-rtti"
                + " -fno-exceptions -fvisibility=hidden -pipe -DNINJA_PYTHON=\"python3\" -O2"
                + " -DNDEBUG -DUSE_PPOLL -DNINJA_HAVE_BROWSE -I. -c src/util.cc -o build/util.o",
            "src/util.cc",
            "build/util.o",
            "build/util.o.d",
            Language.CXX),
        // ---- autotools / libtool ----
        remote(
            "libtool PIC compile",
            "-DHAVE_CONFIG_H -I. -I.. -g -O2 -MT foo.lo -MD -MP -MF .deps/foo.Tpo -c foo.c"
                + " -fPIC -DPIC -o .libs/foo.o",
            "foo.c",
            ".libs/foo.o",
            ".deps/foo.Tpo",
            Language.C),
        remote(
            "libtool non-PIC second compile",
            "-DHAVE_CONFIG_H -I. -I.. -g -O2 -MT foo.lo -MD -MP -MF .deps/foo.Tpo -c foo.c"
                + " -o foo.o",
            "foo.c",
            "foo.o",
            ".deps/foo.Tpo",
            Language.C),
        remote(
            "automake coreutils ls",
            "-DHAVE_CONFIG_H -I. -I./lib -Ilib -I./lib -Isrc -I./src -g -O2 -MT src/ls.o -MD"
                + " -MP -MF src/.deps/ls.Tpo -c -o src/ls.o src/ls.c",
            "src/ls.c",
            "src/ls.o",
            "src/.deps/ls.Tpo",
            Language.C),
        remote(
            "automake per-target object with quoted LOCALEDIR",
            "-DHAVE_CONFIG_H -I. -I../lib -DLOCALEDIR=\"/usr/local/share/locale\" -g -O2"
                + " -MT src/prog-main.o -MD -MP -MF src/.deps/prog-main.Tpo -c"
                + " -o src/prog-main.o src/main.c",
            "src/main.c",
            "src/prog-main.o",
            "src/.deps/prog-main.Tpo",
            Language.C),
        // ---- meson ----
        remote(
            "meson -MD -MQ -MF",
            "-MD -MQ src/foo.c.o -MF src/foo.c.o.d -o src/foo.c.o -c ../src/foo.c",
            "../src/foo.c",
            "src/foo.c.o",
            "src/foo.c.o.d",
            Language.C),
        remote(
            "meson shared library",
            "-Isrc/libfoo.so.p -Isrc -I../src -fdiagnostics-color=always -D_FILE_OFFSET_BITS=64"
                + " -Wall -Winvalid-pch -O0 -g -fPIC -MD -MQ src/libfoo.so.p/foo.c.o"
                + " -MF src/libfoo.so.p/foo.c.o.d -o src/libfoo.so.p/foo.c.o -c ../src/foo.c",
            "../src/foo.c",
            "src/libfoo.so.p/foo.c.o",
            "src/libfoo.so.p/foo.c.o.d",
            Language.C),
        remote(
            "meson C++ executable",
            "-Iprog.p -I. -I.. -fdiagnostics-color=always -D_GLIBCXX_ASSERTIONS=1"
                + " -D_FILE_OFFSET_BITS=64 -Wall -Winvalid-pch -Wnon-virtual-dtor -std=c++17 -O2"
                + " -g -MD -MQ prog.p/main.cpp.o -MF prog.p/main.cpp.o.d -o prog.p/main.cpp.o"
                + " -c ../main.cpp",
            "../main.cpp",
            "prog.p/main.cpp.o",
            "prog.p/main.cpp.o.d",
            Language.CXX),
        // ---- Linux kernel ----
        remote(
            "Kbuild in-tree module",
            KERNEL_DUMMY,
            "drivers/net/dummy.c",
            "drivers/net/dummy.o",
            "drivers/net/.dummy.o.d",
            Language.C),
        remote(
            "Kbuild out-of-tree module",
            "-Wp,-MMD,/home/u/hello/.hello.o.d -nostdinc"
                + " -I/usr/src/linux-headers-6.1.0-13-common/arch/x86/include"
                + " -I./arch/x86/include/generated -I/usr/src/linux-headers-6.1.0-13-common/include"
                + " -include /usr/src/linux-headers-6.1.0-13-common/include/linux/kconfig.h"
                + " -D__KERNEL__ -std=gnu11 -O2 -DMODULE -DKBUILD_BASENAME=\"hello\""
                + " -DKBUILD_MODNAME=\"hello\" -D__KBUILD_MODNAME=kmod_hello -c"
                + " -o /home/u/hello/hello.o /home/u/hello/hello.c",
            "/home/u/hello/hello.c",
            "/home/u/hello/hello.o",
            "/home/u/hello/.hello.o.d",
            Language.C),
        remote(
            "-Wp,-MD,deps/x.d",
            "-Wp,-MD,deps/x.d -c x.c -o x.o",
            "x.c",
            "x.o",
            "deps/x.d",
            Language.C),
        // ---- replayed exactly, so distributed since hermetic replay ----
        remote("-g3", "-g3 -O0 -c foo.c -o foo.o", "foo.c", "foo.o", null, Language.C),
        remote(
            "-gsplit-dwarf",
            "-g -gsplit-dwarf -c foo.c -o foo.o",
            "foo.c",
            "foo.o",
            null,
            Language.C),
        remote(
            "-fstack-usage", "-fstack-usage -c foo.c -o foo.o", "foo.c", "foo.o", null, Language.C),
        remote(
            "-frecord-gcc-switches",
            "-frecord-gcc-switches -c foo.c -o foo.o",
            "foo.c",
            "foo.o",
            null,
            Language.C),
        remote(
            "-fdirectives-only set by the user",
            "-fdirectives-only -c foo.c -o foo.o",
            "foo.c",
            "foo.o",
            null,
            Language.C),
        remote(
            "-traditional-cpp",
            "-traditional-cpp -c foo.c -o foo.o",
            "foo.c",
            "foo.o",
            null,
            Language.C),
        // ---- C++ and other languages ----
        remote(
            "C++17 .cpp",
            "-std=c++17 -fPIC -c foo.cpp -o foo.o",
            "foo.cpp",
            "foo.o",
            null,
            Language.CXX),
        remote(
            ".cc",
            "-O2 -g -Wall -c widget.cc -o widget.o",
            "widget.cc",
            "widget.o",
            null,
            Language.CXX),
        remote(
            ".cxx without -o", "-O2 -c engine.cxx", "engine.cxx", "engine.o", null, Language.CXX),
        remote(".C", "-O2 -c Widget.C -o Widget.o", "Widget.C", "Widget.o", null, Language.CXX),
        remote(
            "-x c++ on a .inc file",
            "-x c++ -std=c++14 -c foo.inc -o foo.o",
            "foo.inc",
            "foo.o",
            null,
            Language.CXX),
        remote(
            "-xc attached on a .def file",
            "-xc -c gen/table.def -o gen/table.o",
            "gen/table.def",
            "gen/table.o",
            null,
            Language.C),
        remote(
            "Objective-C on macOS (-arch, -isysroot)",
            "-arch arm64 -isysroot /Library/Developer/CommandLineTools/SDKs/MacOSX.sdk"
                + " -mmacosx-version-min=11.0 -fobjc-arc -c AppDelegate.m -o AppDelegate.o",
            "AppDelegate.m",
            "AppDelegate.o",
            null,
            Language.OBJC),
        remote(
            "Objective-C++",
            "-fobjc-arc -c View.mm -o View.o",
            "View.mm",
            "View.o",
            null,
            Language.OBJCXX),
        remote(
            "clang-specific flags (-target, -Qunused-arguments, -Weverything)",
            "-target aarch64-linux-gnu -fcolor-diagnostics -fno-omit-frame-pointer"
                + " -Qunused-arguments -Wno-unused-command-line-argument -Weverything"
                + " -Wno-padded -O2 -c foo.c -o foo.o",
            "foo.c",
            "foo.o",
            null,
            Language.C),
        remote(
            "sanitizers",
            "-fsanitize=address,undefined -fno-omit-frame-pointer -g -O1 -c test.cc -o test.o",
            "test.cc",
            "test.o",
            null,
            Language.CXX),
        remote(
            "OpenMP with a named -march",
            "-fopenmp -O3 -march=x86-64-v3 -c kernel.cpp -o kernel.o",
            "kernel.cpp",
            "kernel.o",
            null,
            Language.CXX),
        remote("-m32", "-m32 -O2 -c foo.c -o foo32.o", "foo.c", "foo32.o", null, Language.C),
        remote(
            "include options of every kind",
            "-include config.h -imacros defs.h -iquote src -idirafter /opt/inc -c src/a.c -o a.o",
            "src/a.c",
            "a.o",
            null,
            Language.C),
        remote(
            "unknown flags pass",
            "-fmade-up-flag -mfoo-bar -c foo.c -o foo.o",
            "foo.c",
            "foo.o",
            null,
            Language.C),
        remote("-o attached", "-c -ofoo.o foo.c", "foo.c", "foo.o", null, Language.C),
        remote("bare -c, default object", "-c hello.c", "hello.c", "hello.o", null, Language.C),
        remote("-MD without -o", "-MD -c src/foo.c", "src/foo.c", "foo.o", "foo.d", Language.C),
        remote(
            "linker-only flags with -c",
            "-static -rdynamic -c foo.c -o foo.o -L/usr/lib -lm -Wl,--as-needed",
            "foo.c",
            "foo.o",
            null,
            Language.C),

        // ---- link steps ----
        local("link of objects", "-o prog a.o b.o -lm", "link step"),
        local("Lua link", "-std=gnu99 -o lua lua.o liblua.a -lm -Wl,-E -ldl", "link step"),
        local("compile and link in one go", "-O2 -Wall -o hello hello.c", "link step"),
        local(
            "shared library link",
            "-shared -o libfoo.so.1.2 a.o b.o -Wl,-soname,libfoo.so.1",
            "link step"),
        local(
            "libtool link",
            "-shared -fPIC -DPIC .libs/foo.o .libs/bar.o -O2 -Wl,-soname -Wl,libfoo.so.0"
                + " -o .libs/libfoo.so.0.0.0",
            "link step"),
        local(
            "CMake executable link",
            "-O3 -DNDEBUG CMakeFiles/app.dir/main.c.o -o app"
                + " -Wl,-rpath,/home/u/proj/build/lib lib/libfoo.so",
            "link step"),
        // ---- other modes ----
        local("-E", "-E -I include foo.c", "preprocess only (-E)"),
        local("-E -dM from stdin", "-E -dM -", "preprocess only (-E)"),
        local("-S", "-S -O2 foo.c -o foo.s", "assembly output (-S)"),
        local("-M without -c", "-M foo.c", "dependency generation only (-M)"),
        local("-MM without -c", "-MM -I include src/foo.c", "dependency generation only (-M)"),
        local("-MM with -c", "-MM -c foo.c", "dependency generation only (-M)"),
        local("-fsyntax-only", "-fsyntax-only -Wall foo.c", "syntax check only"),
        local("--version", "--version", "no input files"),
        local("-v", "-v", "no input files"),
        local("-dumpmachine", "-dumpmachine", "no input files"),
        local("-print-file-name", "-print-file-name=plugin", "no input files"),
        // ---- inputs ----
        local("two sources with -c", "-c a.c b.c", "2 source files"),
        local("three sources with -c", "-O2 -c a.c b.c c.cpp", "3 source files"),
        local("object next to the source", "-c foo.c -o foo.o bar.o", "linker inputs"),
        local("only an archive", "-c libfoo.a", "no source file"),
        local("stdin", "-x c -c - -o out.o", "stdin"),
        local(".s", "-c start.s -o start.o", "assembler source"),
        local(
            "kernel .S",
            "-Wp,-MMD,arch/x86/entry/.entry_64.o.d -nostdinc -I./arch/x86/include -I./include"
                + " -include ./include/linux/kconfig.h -D__KERNEL__ -D__ASSEMBLY__ -fno-PIE -m64"
                + " -c -o arch/x86/entry/entry_64.o arch/x86/entry/entry_64.S",
            "assembler source"),
        local("-x assembler-with-cpp", "-x assembler-with-cpp -c foo.asm -o foo.o", "assembler"),
        local("header", "-c foo.h", "precompiled header"),
        local(
            "CMake precompiled header",
            "-O2 -std=gnu++17 -x c++-header -include /home/u/proj/build/CMakeFiles/foo.dir/cmake_pch.hxx"
                + " -o CMakeFiles/foo.dir/cmake_pch.hxx.gch"
                + " -c /home/u/proj/build/CMakeFiles/foo.dir/cmake_pch.hxx.cxx",
            "precompiled header"),
        local("preprocessed input", "-c foo.i -o foo.o", "already preprocessed"),
        local("Fortran", "-O2 -c mod.f90 -o mod.o", "language not supported"),
        local("CUDA", "-c kernel.cu -o kernel.o", "language not supported"),
        // ---- outputs ----
        local("-o -", "-c foo.c -o -", "stdout"),
        local("-o /dev/null", "-Werror -Wno-unused -c foo.c -o /dev/null", "/dev/null"),
        // ---- machine-dependent or extra-output options ----
        local("-march=native", "-O3 -march=native -c foo.c -o foo.o", "-march=native"),
        local("-mtune=native", "-O2 -mtune=native -c foo.c -o foo.o", "CPU"),
        local("-flto", "-O2 -flto -c foo.c -o foo.o", "LTO"),
        local(
            "Fedora redhat-rpm-config CFLAGS",
            "-O2 -flto=auto -ffat-lto-objects -fexceptions -g -grecord-gcc-switches -pipe -Wall"
                + " -Werror=format-security -Wp,-D_FORTIFY_SOURCE=2 -Wp,-D_GLIBCXX_ASSERTIONS"
                + " -specs=/usr/lib/rpm/redhat/redhat-hardened-cc1 -fstack-protector-strong"
                + " -specs=/usr/lib/rpm/redhat/redhat-annobin-cc1 -m64 -mtune=generic"
                + " -fasynchronous-unwind-tables -fstack-clash-protection -fcf-protection"
                + " -c -o foo.o foo.c",
            "LTO objects record compiler options (-flto=auto)"),
        local(
            "Fedora CFLAGS without LTO",
            "-O2 -fexceptions -g -grecord-gcc-switches -pipe -Wall -Werror=format-security"
                + " -Wp,-D_FORTIFY_SOURCE=2 -Wp,-D_GLIBCXX_ASSERTIONS"
                + " -specs=/usr/lib/rpm/redhat/redhat-hardened-cc1 -fstack-protector-strong"
                + " -m64 -mtune=generic -c -o foo.o foo.c",
            "-specs=/usr/lib/rpm/redhat/redhat-hardened-cc1 reads a specs file"),
        local("--coverage", "-O0 --coverage -c foo.c -o foo.o", "coverage (--coverage)"),
        local("-fprofile-generate", "-O2 -fprofile-generate -c foo.c -o foo.o", "profiling"),
        local("-fprofile-use=", "-O2 -fprofile-use=/tmp/prof -c foo.c -o foo.o", "profil"),
        local(
            "-fplugin=",
            "-fplugin=./myplugin.so -c foo.c -o foo.o",
            "-fplugin=./myplugin.so loads a compiler plugin"),
        local("-specs=", "-specs=x -c foo.c -o foo.o", "-specs=x reads a specs file"),
        local(
            "arm-none-eabi --specs=nano.specs",
            "-mcpu=cortex-m0 -mthumb --specs=nano.specs -c main.c -o main.o",
            "--specs"),
        local("-B", "-B/tmp/x -c foo.c -o foo.o", "-B names files"),
        local("response file", "@args.rsp", "response file @args.rsp"),
        local(
            "response file with a compile",
            "@CMakeFiles/foo.dir/includes_C.rsp -c foo.c -o foo.o",
            "response file @CMakeFiles/foo.dir/includes_C.rsp"),
        local("-save-temps", "-save-temps -c foo.c -o foo.o", "-save-temps writes intermediate"),
        local("-save-temps=obj", "-save-temps=obj -c foo.c -o foo.o", "intermediate files"),
        local("-fdump-tree-all", "-O2 -fdump-tree-all -c foo.c -o foo.o", "dump files"),
        local("-fdump-rtl-expand", "-fdump-rtl-expand -c foo.c -o foo.o", "-fdump-rtl-expand"),
        local(
            "-Xclang -load",
            "-Xclang -load -Xclang ./plugin.so -c foo.c -o foo.o",
            "-Xclang -load"),
        local("-include-pch", "-include-pch foo.pch -c foo.c -o foo.o", "precompiled headers"),
        local(
            "STM32CubeMX listing file",
            "-mcpu=cortex-m4 -mthumb -DSTM32F407xx -ICore/Inc -Os -g -gdwarf-2 -MMD -MP"
                + " -MFbuild/main.d -Wa,-a,-ad,-alms=build/main.lst -c Core/Src/main.c"
                + " -o build/main.o",
            "to the assembler"),
        local("-wrapper", "-wrapper gdb,--args -c foo.c -o foo.o", "-wrapper"),
        local("clang -MJ", "-MJ foo.o.json -c foo.c -o foo.o", "-MJ"),
        local("clang -ftime-trace", "-ftime-trace -c foo.cpp -o foo.o", "-ftime-trace"),
        local("clang -mllvm", "-mllvm -inline-threshold=1000 -c foo.c -o foo.o", "-mllvm"),
        local("clang -fmodules", "-fmodules -c foo.m -o foo.o", "module files"),
        local(
            "-Wp, with a non-define",
            "-Wp,-MD,x.d,-I/etc -c foo.c -o foo.o",
            "passes '-I/etc' to the preprocessor"),
        // ---- build-system probes ----
        local("autoconf compile probe", "-c -g -O2 conftest.c", "configure probe"),
        local(
            "autoconf C++ probe", "-c -g -O2 -I/usr/local/include conftest.cpp", "configure probe"),
        local("autoconf link probe", "-o conftest -g -O2 conftest.c -lpthread", "link step"),
        local(
            "CMake try_compile in CMakeScratch",
            "-DHAVE_X -o CMakeFiles/cmTC_bca47.dir/src.c.o"
                + " -c /home/u/proj/build/CMakeFiles/CMakeScratch/TryCompile-oel1c9/src.c",
            "CMake probe"),
        local(
            "CMake try_compile in CMakeTmp (CMake < 3.24)",
            "-o CMakeFiles/cmTC_a1b2c.dir/src.cxx.o -c /home/u/b/CMakeFiles/CMakeTmp/src.cxx",
            "CMake probe"),
        local(
            "CMake C compiler ABI probe",
            "-v -o CMakeFiles/cmTC_68847.dir/CMakeCCompilerABI.c.o"
                + " -c /usr/share/cmake-3.25/Modules/CMakeCCompilerABI.c",
            "CMake probe"),
        local(
            "CMake C++ compiler ABI probe",
            "-v -o CMakeFiles/cmTC_9f3e1.dir/CMakeCXXCompilerABI.cpp.o"
                + " -c /usr/share/cmake-3.25/Modules/CMakeCXXCompilerABI.cpp",
            "CMake probe"),
        local("CMake compiler id", "-c CMakeCCompilerId.c", "CMake probe"),
        local("CMake C++ compiler id", "-c CMakeCXXCompilerId.cpp", "CMake probe"),
        local(
            "meson compiler check",
            "/home/u/proj/build/meson-private/tmpab12cd/testfile.c"
                + " -o /home/u/proj/build/meson-private/tmpab12cd/output.obj -c"
                + " -D_FILE_OFFSET_BITS=64 -O0 -Werror=implicit-function-declaration",
            "meson probe"),
        local("meson sanity check", "sanitycheckc.c -o sanitycheckc.exe", "link step"),
        local("meson sanity check compiled with -c", "-c sanitycheckcpp.cc", "meson probe"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("commandLines")
  void classifiesRealCommandLines(Case c) {
    CompileInvocation inv = classify(c.line());
    if (!c.distributable()) {
      assertFalse(inv.distributable(), () -> "expected local, line: " + c.line());
      String reason = inv.localReason().orElseThrow();
      assertTrue(
          reason.contains(c.reason()),
          () -> "reason '" + reason + "' should contain '" + c.reason() + "'");
      return;
    }
    assertTrue(
        inv.distributable(), () -> "expected distributable, got local: " + inv.localReason());
    assertEquals(c.source(), inv.source());
    assertEquals(c.object(), inv.objectPath());
    assertEquals(c.depFile(), inv.dependencyFile());
    assertEquals(c.language(), inv.language());
    assertEquals(split(c.line()).stream().anyMatch(t -> t.startsWith("-o")), inv.explicitOutput());
    assertEquals(split(c.line()), inv.tokens(), "tokens() gives back the user's arguments");
  }

  @Test
  void tableHasAtLeastSixtyCommandLines() {
    assertTrue(commandLines().count() >= 60, () -> "only " + commandLines().count());
  }

  // ------------------------------------------- what an action carries (the exact command line)

  @Test
  void includeDependencyOutputAndLinkerOptionsStayDistributable() {
    CompileInvocation inv =
        classify(
            "-I inc -Iinc2 -isystem /usr/x -isystem/usr/y -iquote q -include cfg.h -DX=1 -UY -O2"
                + " -g -std=c11 -fPIC -Wall -fmade-up-flag -mfoo-bar -MD -MF dep.d -MT t -MQ q.o"
                + " -MP -c foo.c -o foo.o -L/lib -L /lib64 -lm -l pthread -Wl,--as-needed"
                + " -Wextra");
    assertTrue(inv.distributable(), () -> inv.localReason().toString());
    assertEquals("foo.o", inv.objectPath());
    assertEquals("dep.d", inv.dependencyFile());
  }

  @Test
  void wpDependencyFileIsFoundAndTheCompileStaysDistributable() {
    CompileInvocation inv = classify("-Wp,-MD,deps/x.d -Wp,-D_FORTIFY_SOURCE=2 -O2 -c x.c -o x.o");
    assertTrue(inv.distributable(), () -> inv.localReason().toString());
    assertEquals("deps/x.d", inv.dependencyFile());
  }

  @Test
  void kernelCompileIsDistributable() {
    CompileInvocation inv = classify(KERNEL_DUMMY);
    assertTrue(inv.distributable(), () -> inv.localReason().toString());
    assertEquals("drivers/net/dummy.o", inv.objectPath());
  }

  @Test
  void languageSysrootAndLinkerFlagsStayDistributable() {
    CompileInvocation inv =
        classify(
            "-x c++ --sysroot=/s -isysroot /sdk -target aarch64-linux-gnu -static -shared -s"
                + " -Xlinker --gc-sections -O2 -c foo.inc");
    assertTrue(inv.distributable(), () -> inv.localReason().toString());
    assertEquals(Language.CXX, inv.language());
  }

  @Test
  void pipeStaysDistributable() {
    // -pipe only changes how the driver connects its stages; it is in common distro CFLAGS
    // (Arch, Gentoo, nginx, ninja) and must not keep those builds off the grid.
    CompileInvocation inv = classify("-O2 -pipe -c foo.c -o foo.o");
    assertTrue(inv.distributable(), () -> inv.localReason().toString());
  }

  @Test
  void llvmCompileIsDistributable() {
    CompileInvocation inv = classify(LLVM_NINJA);
    assertTrue(inv.distributable(), () -> inv.localReason().toString());
  }

  // ---------------------------------------------------------------- dependencyScanArgs

  private static List<String> scan(String line) {
    return classify(line).dependencyScanArgs("hg");
  }

  @Test
  void scanDropsCompileOutputAndDependencyOptions() {
    assertEquals(
        split("-O3 ../lib/common/debug.c -M -MT hg"),
        scan(
            "-O3 -c -MT obj/debug.o -MMD -MP -MF obj/debug.d -o obj/debug.o ../lib/common/debug.c"));
    assertEquals(
        split("main.c -M -MT hg"), scan("-MMD -MP -MFbuild/main.d -c main.c -o build/main.o"));
    assertEquals(split("y.c -M -MT hg"), scan("-MD -MQ x -c -o o1/y.o y.c"));
  }

  @Test
  void scanKeepsIncludeOptionsInOrder() {
    assertEquals(
        split("-O2 -I inc -iquote q -isystem s -include cfg.h foo.c -M -MT hg"),
        scan("-O2 -I inc -iquote q -isystem s -include cfg.h -c foo.c -o foo.o"));
  }

  @Test
  void scanStripsWpDependencyPartsButKeepsDefines() {
    assertEquals(
        split("-nostdinc -D__KERNEL__ drivers/x/foo.c -M -MT hg"),
        scan(
            "-Wp,-MMD,drivers/x/.foo.o.d -nostdinc -D__KERNEL__ -c -o drivers/x/foo.o drivers/x/foo.c"));
    assertEquals(
        split("-Wp,-D_FORTIFY_SOURCE=2 foo.c -M -MT hg"),
        scan("-Wp,-MD,x.d,-D_FORTIFY_SOURCE=2 -c foo.c -o foo.o"));
  }

  // ---------------------------------------------------------------- outputFiles

  @Test
  void outputsAreObjectAndDependencyFile() {
    assertEquals(List.of("o1/y.o", "o1/y.d"), classify("-MD -c -o o1/y.o y.c").outputFiles());
    assertEquals(List.of("foo.o"), classify("-c src/foo.c").outputFiles());
    assertEquals(
        List.of("x.o", "deps/x.d"), classify("-Wp,-MD,deps/x.d -c x.c -o x.o").outputFiles());
  }

  @Test
  void splitDwarfAndStackUsageWriteNextToTheObject() {
    // gcc 12 and clang 14: "-c -g -gsplit-dwarf -fstack-usage sub/a.c -o out/z.b.o" writes
    // out/z.b.dwo and out/z.b.su; without -o, a.dwo and a.su in the working directory.
    assertEquals(
        List.of("out/z.b.o", "out/z.b.dwo", "out/z.b.su"),
        classify("-c -g -gsplit-dwarf -fstack-usage sub/a.c -o out/z.b.o").outputFiles());
    assertEquals(List.of("a.o", "a.dwo"), classify("-c -g -gsplit-dwarf sub/a.c").outputFiles());
    assertEquals(
        List.of("out/noext", "out/noext.su"),
        classify("-c -fstack-usage a.c -o out/noext").outputFiles());
    assertEquals(
        List.of("a.o"), classify("-c -g -gsplit-dwarf -gno-split-dwarf a.c").outputFiles());
    assertEquals(List.of("a.o"), classify("-c -g -gsplit-dwarf=single a.c").outputFiles());
  }

  // ---------------------------------------------------------------- dependency-file naming

  @Test
  void dependencyFileReplacesTheObjectSuffix() {
    assertEquals("o1/y.d", classify("-MD -c -o o1/y.o y.c").dependencyFile());
    assertEquals("o1/y.d", classify("-MMD -c -o o1/y.o y.c").dependencyFile());
  }

  @Test
  void dependencyFileForObjectWithoutSuffix() {
    assertEquals("noext.d", classify("-MD -c -o noext y.c").dependencyFile());
    // A dot in a directory name is not a suffix.
    assertEquals("out.dir/noext.d", classify("-MD -c -o out.dir/noext y.c").dependencyFile());
  }

  @Test
  void dependencyFileStripsOnlyTheLastSuffix() {
    assertEquals("sub.x.d", classify("-MD -c -o sub.x.o y.c").dependencyFile());
  }

  @Test
  void dependencyFileOfDotFileObjectFollowsGcc() {
    // gcc 12: "gcc -MD -c -o .hidden y.c" writes ".d", and "-o sub/.hidden" writes "sub/.d".
    assertEquals(".d", classify("-MD -c -o .hidden y.c").dependencyFile());
    assertEquals("sub/.d", classify("-MD -c -o sub/.hidden y.c").dependencyFile());
  }

  @Test
  void dependencyFileWithoutOutputIsSourceBaseNameInWorkingDirectory() {
    CompileInvocation inv = classify("-MD -c src/foo.c");
    assertEquals("foo.d", inv.dependencyFile());
    assertEquals("foo.o", inv.objectPath());
    assertFalse(inv.explicitOutput());
  }

  @Test
  void dotFileSourceKeepsItsNameLikeGcc() {
    // gcc 12: "gcc -x c -MD -c ../t/.hid" writes ".hid.o" and ".hid.d".
    CompileInvocation inv = classify("-x c -MD -c ../t/.hid");
    assertEquals(".hid.o", inv.objectPath());
    assertEquals(".hid.d", inv.dependencyFile());
  }

  @Test
  void explicitMfWins() {
    assertEquals("explicit.d", classify("-MD -MF explicit.d -c -o y.o y.c").dependencyFile());
    assertEquals("explicit.d", classify("-MF explicit.d -MMD -c y.c").dependencyFile());
  }

  @Test
  void wpDependencyFile() {
    assertEquals("deps/x.d", classify("-Wp,-MD,deps/x.d -c x.c -o x.o").dependencyFile());
    assertEquals("deps/x.d", classify("-Wp,-MMD,deps/x.d -c x.c").dependencyFile());
  }

  @Test
  void noDependencyOptionsNoDependencyFile() {
    assertNull(classify("-c x.c -o x.o").dependencyFile());
    assertNull(classify("-Wp,-DFOO -c x.c -o x.o").dependencyFile());
  }

  @Test
  void defaultObjectIsSourceBaseNameInWorkingDirectory() {
    CompileInvocation inv = classify("-c src/foo.c");
    assertEquals("foo.o", inv.objectPath());
    assertFalse(inv.explicitOutput());
    assertEquals("foo.o", classify("-c ../../lib/foo.cpp").objectPath());
    assertEquals("x.y.o", classify("-c dir.d/x.y.c").objectPath());
  }

  @Test
  void noSourceMeansNoObjectAndNoDependencyFile() {
    CompileInvocation inv = classify("-MD -o prog a.o b.o");
    assertNull(inv.source());
    assertNull(inv.dependencyFile());
    assertEquals("prog", inv.objectPath());
    assertEquals(Language.OTHER, inv.language());
  }
}
