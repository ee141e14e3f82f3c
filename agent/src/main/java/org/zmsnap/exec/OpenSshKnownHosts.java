package org.zmsnap.exec;

import com.jcraft.jsch.HostKey;
import com.jcraft.jsch.HostKeyRepository;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.UserInfo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A read-only known_hosts with OpenSSH's rules (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT"), where JSch's own
 * KnownHosts differs:
 * <ul>
 *   <li>a server on a port other than 22 is looked up as {@code [host]:port} only. JSch falls back to the plain
 *       {@code host} entry, so a key recorded for port 22 was accepted for any port. OpenSSH's client (9.2) falls
 *       back too, but only to accept a matching key ("found matching key w/out port"): zmsnap is deliberately
 *       stricter here, with an error that says which line to add ({@code ssh-keyscan -p PORT HOST} writes it);</li>
 *   <li>{@code @revoked} keys are refused, also when another line lists the same key;</li>
 *   <li>{@code @cert-authority} lines are refused explicitly: zmsnap checks host keys, not host certificates
 *       (JSch treated such a line as a plain host key of the CA);</li>
 *   <li>host patterns: comma-separated, {@code *} and {@code ?} wildcards, {@code !} negation, case-insensitive;
 *       hashed entries {@code |1|salt|hash} (HMAC-SHA1, {@code HashKnownHosts yes}).</li>
 * </ul>
 * {@link #refusal()} says why the last check did not return OK, for the error message.
 */
public final class OpenSshKnownHosts implements HostKeyRepository {
    private static final String HASH_MAGIC = "|1|";

    /** One usable line. {@code marker} is empty, {@code @revoked} or {@code @cert-authority}. */
    record Entry(int line, String marker, String hosts, String type, byte[] key) {}

    private final Path file;
    private final List<Entry> entries;
    private volatile String refusal = "";

    OpenSshKnownHosts(Path file, List<Entry> entries) {
        this.file = file;
        this.entries = List.copyOf(entries);
    }

    /** Reads {@code file}; a missing file is an empty one (every host is then unknown). */
    public static OpenSshKnownHosts read(Path file) {
        try {
            return parse(file, Files.readString(file, StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            return new OpenSshKnownHosts(file, List.of());
        } catch (IOException e) {
            throw new SshRunner.SshException("cannot read known_hosts " + file + ": " + e.getMessage(), e);
        }
    }

    static OpenSshKnownHosts parse(Path file, String text) {
        List<Entry> out = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String l = lines[i].strip();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            String[] f = l.split("[ \t]+");
            int at = 0;
            String marker = "";
            if (f[0].startsWith("@")) {
                marker = f[0];
                at = 1;
            }
            if (f.length < at + 3) {
                continue; // OpenSSH skips malformed lines too
            }
            byte[] key;
            try {
                key = Base64.getDecoder().decode(f[at + 2]);
            } catch (IllegalArgumentException e) {
                continue;
            }
            out.add(new Entry(i + 1, marker, f[at], f[at + 1], key));
        }
        return new OpenSshKnownHosts(file, out);
    }

    /**
     * The name OpenSSH looks a server up by: {@code host} on port 22, {@code [host]:port} otherwise.
     * JSch hands {@link #check} this very form.
     */
    public static String lookupName(String host, int port) {
        return port == 22 ? host : "[" + host + "]:" + port;
    }

    /** Why the last {@link #check} did not accept the key; empty after an accepted one. */
    public String refusal() {
        return refusal;
    }

    @Override
    public int check(String name, byte[] key) {
        String type = keyType(key);
        List<Entry> matching = entries.stream().filter(e -> matches(e.hosts(), name)).toList();
        Optional<Entry> revoked = matching.stream().filter(e -> e.marker().equals("@revoked") && Arrays.equals(e.key(), key)).findFirst();
        if (revoked.isPresent()) {
            refusal = "the host key of " + name + " (" + type + ") is marked @revoked in " + file + " line " + revoked.get().line()
                    + ": refusing it. A revoked key may be in the hands of an impostor; verify the host and give it a new key";
            return NOT_INCLUDED;
        }
        List<Entry> plain = matching.stream().filter(e -> e.marker().isEmpty()).toList();
        if (plain.stream().anyMatch(e -> Arrays.equals(e.key(), key))) {
            refusal = "";
            return OK;
        }
        Optional<Entry> sameType = plain.stream().filter(e -> keyType(e.key()).equals(type)).findFirst();
        if (sameType.isPresent()) {
            refusal = "the host key of " + name + " has CHANGED since it was recorded in " + file + " line " + sameType.get().line()
                    + ": refusing to connect. If the DR host was reinstalled, verify its new key and update " + file;
            return CHANGED;
        }
        Optional<Entry> ca = matching.stream().filter(e -> e.marker().equals("@cert-authority")).findFirst();
        if (ca.isPresent()) {
            refusal = file + " line " + ca.get().line() + " names a certificate authority (@cert-authority) for " + name
                    + ", but zmsnap checks host keys, not host certificates: add the host's own key (ssh-keyscan -t "
                    + type + " " + scanArgs(name) + ", compared out of band)";
            return NOT_INCLUDED;
        }
        StringBuilder why = new StringBuilder("the host key of " + name + " (" + type + ") is not in " + file);
        if (!plain.isEmpty()) {
            why.append(" (only keys of another type are: ").append(plain.stream().map(Entry::type).distinct().toList()).append(')');
        }
        if (name.startsWith("[")) {
            String bare = name.substring(1, name.indexOf("]:"));
            entries.stream().filter(e -> e.marker().isEmpty() && matches(e.hosts(), bare)).findFirst().ifPresent(e -> why.append(
                    "; line ").append(e.line()).append(" is for '").append(bare).append("' on port 22: OpenSSH, and zmsnap, need '")
                    .append(name).append("' for this port"));
        }
        why.append(": refusing to connect. Add it after verifying it (ssh-keyscan ").append(scanArgs(name))
                .append(", compared out of band)");
        refusal = why.toString();
        return NOT_INCLUDED;
    }

    private static String scanArgs(String name) {
        if (name.startsWith("[")) {
            int close = name.indexOf("]:");
            return "-p " + name.substring(close + 2) + " " + name.substring(1, close);
        }
        return name;
    }

    /** OpenSSH's match_hostname over a host field: a hashed name, or comma-separated patterns with negation. */
    static boolean matches(String hosts, String name) {
        if (hosts.startsWith(HASH_MAGIC)) {
            return hashedMatches(hosts, name);
        }
        String n = name.toLowerCase(Locale.ROOT);
        boolean matched = false;
        for (String pattern : hosts.split(",")) {
            boolean negated = pattern.startsWith("!");
            String p = (negated ? pattern.substring(1) : pattern).toLowerCase(Locale.ROOT);
            if (wildcard(p, 0, n, 0)) {
                if (negated) {
                    return false; // a negated match vetoes the line
                }
                matched = true;
            }
        }
        return matched;
    }

    private static boolean hashedMatches(String field, String name) {
        String[] parts = field.substring(HASH_MAGIC.length()).split("\\|");
        if (parts.length != 2) {
            return false;
        }
        try {
            byte[] salt = Base64.getDecoder().decode(parts[0]);
            byte[] hash = Base64.getDecoder().decode(parts[1]);
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(salt, "HmacSHA1"));
            return MessageDigest.isEqual(hash, mac.doFinal(name.getBytes(StandardCharsets.UTF_8)));
        } catch (IllegalArgumentException | GeneralSecurityException e) {
            return false;
        }
    }

    /** {@code *} any run, {@code ?} one character; everything else literal (brackets too). */
    private static boolean wildcard(String p, int pi, String s, int si) {
        while (pi < p.length()) {
            char c = p.charAt(pi);
            if (c == '*') {
                for (int k = si; k <= s.length(); k++) {
                    if (wildcard(p, pi + 1, s, k)) {
                        return true;
                    }
                }
                return false;
            }
            if (si >= s.length() || (c != '?' && c != s.charAt(si))) {
                return false;
            }
            pi++;
            si++;
        }
        return si == s.length();
    }

    /** The algorithm name a public key blob starts with (SSH wire format: uint32 length, name). */
    static String keyType(byte[] blob) {
        if (blob.length < 4) {
            return "?";
        }
        int len = ByteBuffer.wrap(blob, 0, 4).getInt();
        return len > 0 && len <= blob.length - 4 ? new String(blob, 4, len, StandardCharsets.US_ASCII) : "?";
    }

    @Override
    public void add(HostKey hostkey, UserInfo ui) {
        // StrictHostKeyChecking=yes never adds; keys are added by the admin after verifying them.
        throw new UnsupportedOperationException("zmsnap never adds host keys to " + file);
    }

    @Override
    public void remove(String host, String type) {
        throw new UnsupportedOperationException("zmsnap never removes host keys from " + file);
    }

    @Override
    public void remove(String host, String type, byte[] key) {
        throw new UnsupportedOperationException("zmsnap never removes host keys from " + file);
    }

    @Override
    public String getKnownHostsRepositoryID() {
        return file.toString();
    }

    @Override
    public HostKey[] getHostKey() {
        return toHostKeys(entries.stream().filter(e -> e.marker().isEmpty()).toList(), null);
    }

    /**
     * The accepted keys for {@code host} (JSch asks, to prefer the key types already known, as OpenSSH does).
     * Revoked and CA lines are left out: neither may be accepted as the host's key.
     */
    @Override
    public HostKey[] getHostKey(String host, String type) {
        if (host == null) {
            return getHostKey();
        }
        List<Entry> m = entries.stream()
                .filter(e -> e.marker().isEmpty() && matches(e.hosts(), host) && (type == null || e.type().equals(type))).toList();
        return toHostKeys(m, host);
    }

    private static HostKey[] toHostKeys(List<Entry> m, String host) {
        List<HostKey> out = new ArrayList<>();
        for (Entry e : m) {
            try {
                out.add(new HostKey(host != null ? host : e.hosts(), HostKey.GUESS, e.key()));
            } catch (JSchException unsupported) {
                // a key type JSch does not know cannot be offered anyway
            }
        }
        return out.toArray(HostKey[]::new);
    }
}
