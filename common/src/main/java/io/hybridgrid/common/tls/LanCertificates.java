package io.hybridgrid.common.tls;

import java.io.IOException;
import java.io.StringWriter;
import java.io.Writer;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Makes a small CA for a LAN and signs a server certificate (for hg-coord, naming its host names
 * and addresses) and client certificates (for hgbuild and hg-worker under mTLS), with BouncyCastle.
 * Keys are ECDSA P-256, written as PKCS#8 PEM with mode 0600; nothing is overwritten.
 *
 * <p>Files in {@code out}: {@code ca.pem}, {@code ca-key.pem}, {@code server.pem}, {@code
 * server-key.pem}, and {@code NAME.pem}, {@code NAME-key.pem} per client.
 */
public final class LanCertificates {
  private final Clock clock;
  private final SecureRandom random;

  public LanCertificates(Clock clock, SecureRandom random) {
    this.clock = clock;
    this.random = random;
  }

  /**
   * Writes the CA, the server certificate and one client certificate per name.
   *
   * @param out the directory (created with mode 0700 when missing)
   * @param hosts DNS names of the coordinator; {@code localhost} when both lists are empty
   * @param ips IP addresses of the coordinator; {@code 127.0.0.1} when both lists are empty
   * @param clients names (certificate CNs) of the client certificates to make
   * @param validity how long every certificate is valid
   * @return the files written
   */
  public List<Path> generate(
      Path out, List<String> hosts, List<String> ips, List<String> clients, Duration validity)
      throws IOException, GeneralSecurityException {
    if (hosts.isEmpty() && ips.isEmpty()) {
      hosts = List.of("localhost");
      ips = List.of("127.0.0.1");
    }
    for (String c : clients) {
      if (!c.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")) {
        throw new IllegalArgumentException(
            "client name '" + c + "': letters, digits, '.', '_' and '-' only, 64 at most");
      }
      if (c.equals("ca") || c.equals("server")) {
        throw new IllegalArgumentException("client name '" + c + "' is taken by another file");
      }
    }
    List<Path> planned = new ArrayList<>(List.of(out.resolve("ca.pem"), out.resolve("ca-key.pem")));
    planned.add(out.resolve("server.pem"));
    planned.add(out.resolve("server-key.pem"));
    for (String c : clients) {
      planned.add(out.resolve(c + ".pem"));
      planned.add(out.resolve(c + "-key.pem"));
    }
    for (Path p : planned) {
      if (Files.exists(p)) {
        throw new FileAlreadyExistsException(
            p.toString(), null, "will not overwrite; choose another --out or remove it");
      }
    }
    if (!Files.isDirectory(out)) {
      Files.createDirectories(
          out, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }
    Instant now = clock.instant();
    KeyPair caKey = keyPair();
    X500Name caName = new X500Name("CN=Hybrid-Grid LAN CA");
    X509Certificate ca =
        sign(caName, caKey, caName, caKey, now, validity, true, null, List.of(), List.of());
    write(out.resolve("ca.pem"), pem(ca), false);
    write(out.resolve("ca-key.pem"), pem(new JcaPKCS8Generator(caKey.getPrivate(), null)), true);

    KeyPair serverKey = keyPair();
    X509Certificate server =
        sign(
            new X500Name("CN=" + (hosts.isEmpty() ? ips.get(0) : hosts.get(0))),
            serverKey,
            caName,
            caKey,
            now,
            validity,
            false,
            KeyPurposeId.id_kp_serverAuth,
            hosts,
            ips);
    write(out.resolve("server.pem"), pem(server) + pem(ca), false);
    write(
        out.resolve("server-key.pem"),
        pem(new JcaPKCS8Generator(serverKey.getPrivate(), null)),
        true);
    for (String c : clients) {
      KeyPair k = keyPair();
      X509Certificate cert =
          sign(
              new X500Name("CN=" + c),
              k,
              caName,
              caKey,
              now,
              validity,
              false,
              KeyPurposeId.id_kp_clientAuth,
              List.of(),
              List.of());
      write(out.resolve(c + ".pem"), pem(cert) + pem(ca), false);
      write(out.resolve(c + "-key.pem"), pem(new JcaPKCS8Generator(k.getPrivate(), null)), true);
    }
    return planned;
  }

  private KeyPair keyPair() throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"), random);
    return g.generateKeyPair();
  }

  private X509Certificate sign(
      X500Name subject,
      KeyPair subjectKey,
      X500Name issuer,
      KeyPair issuerKey,
      Instant now,
      Duration validity,
      boolean isCa,
      KeyPurposeId purpose,
      List<String> hosts,
      List<String> ips)
      throws GeneralSecurityException, IOException {
    X509v3CertificateBuilder b =
        new JcaX509v3CertificateBuilder(
            issuer,
            new BigInteger(128, random),
            Date.from(now.minus(Duration.ofMinutes(5))),
            Date.from(now.plus(validity)),
            subject,
            subjectKey.getPublic());
    JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
    b.addExtension(
        Extension.subjectKeyIdentifier,
        false,
        ext.createSubjectKeyIdentifier(subjectKey.getPublic()));
    b.addExtension(
        Extension.authorityKeyIdentifier,
        false,
        ext.createAuthorityKeyIdentifier(issuerKey.getPublic()));
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
    b.addExtension(
        Extension.keyUsage,
        true,
        new KeyUsage(isCa ? KeyUsage.keyCertSign | KeyUsage.cRLSign : KeyUsage.digitalSignature));
    if (purpose != null) {
      b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
    }
    List<GeneralName> names = new ArrayList<>();
    for (String h : hosts) {
      names.add(new GeneralName(GeneralName.dNSName, h));
    }
    for (String ip : ips) {
      // Validates the literal (no lookups: a name here would be an error, not resolved).
      if (!ip.matches("[0-9a-fA-F:.]+")) {
        throw new IllegalArgumentException("--ip " + ip + " is not an IP address");
      }
      InetAddress.getByName(ip);
      names.add(new GeneralName(GeneralName.iPAddress, ip));
    }
    if (!names.isEmpty()) {
      b.addExtension(
          Extension.subjectAlternativeName,
          false,
          new GeneralNames(names.toArray(GeneralName[]::new)));
    }
    try {
      ContentSigner signer =
          new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey.getPrivate());
      return new JcaX509CertificateConverter().getCertificate(b.build(signer));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException(e);
    }
  }

  private static String pem(Object o) throws IOException {
    StringWriter s = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(s)) {
      w.writeObject(o instanceof JcaPKCS8Generator g ? g.generate() : o);
    }
    return s.toString();
  }

  private static void write(Path file, String text, boolean secret) throws IOException {
    Files.createFile(
        file,
        PosixFilePermissions.asFileAttribute(
            PosixFilePermissions.fromString(secret ? "rw-------" : "rw-r--r--")));
    try (Writer w = Files.newBufferedWriter(file, StandardCharsets.US_ASCII)) {
      w.write(text);
    }
    // umask may have narrowed the mode of a public file; a secret one stays 0600.
    if (secret) {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    }
  }
}
