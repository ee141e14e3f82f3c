package org.zmsnap.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.jcraft.jsch.HostKeyRepository;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/** OpenSSH's known_hosts rules, line by line; {@code SshHostKeyIT} proves them against a real sshd. */
class OpenSshKnownHostsTest {
    static final byte[] KEY_A = blob("ssh-ed25519", 1);
    static final byte[] KEY_B = blob("ssh-ed25519", 2);
    static final byte[] RSA = blob("ssh-rsa", 3);

    static byte[] blob(String type, int seed) {
        try {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            DataOutputStream d = new DataOutputStream(b);
            d.writeInt(type.length());
            d.write(type.getBytes(StandardCharsets.US_ASCII));
            d.writeInt(32);
            for (int i = 0; i < 32; i++) {
                d.write(seed * 31 + i);
            }
            return b.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static String line(String hosts, byte[] key) {
        return hosts + " " + OpenSshKnownHosts.keyType(key) + " " + Base64.getEncoder().encodeToString(key);
    }

    static OpenSshKnownHosts file(String... lines) {
        return OpenSshKnownHosts.parse(Path.of("/etc/zmsnap/known_hosts"), String.join("\n", lines) + "\n");
    }

    static String hashed(String name, byte[] salt) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA1");
        mac.init(new SecretKeySpec(salt, "HmacSHA1"));
        return "|1|" + Base64.getEncoder().encodeToString(salt) + "|"
                + Base64.getEncoder().encodeToString(mac.doFinal(name.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void theLookupNameCarriesThePortUnlessItIs22() {
        assertEquals("dr.example.com", OpenSshKnownHosts.lookupName("dr.example.com", 22));
        assertEquals("[127.0.0.1]:22221", OpenSshKnownHosts.lookupName("127.0.0.1", 22221));
    }

    @Test
    void aPlainHostLineDoesNotMatchAServerOnAnotherPort() {
        OpenSshKnownHosts kh = file(line("127.0.0.1", KEY_A));
        assertEquals(HostKeyRepository.OK, kh.check("127.0.0.1", KEY_A));
        assertEquals(HostKeyRepository.NOT_INCLUDED, kh.check("[127.0.0.1]:22221", KEY_A));
        assertTrue(kh.refusal().contains("line 1 is for '127.0.0.1' on port 22"), kh.refusal());
        assertTrue(kh.refusal().contains("ssh-keyscan -p 22221 127.0.0.1"), kh.refusal());
    }

    @Test
    void aBracketedLineMatchesOnlyItsPort() {
        OpenSshKnownHosts kh = file(line("[127.0.0.1]:22221", KEY_A));
        assertEquals(HostKeyRepository.OK, kh.check("[127.0.0.1]:22221", KEY_A));
        assertEquals(HostKeyRepository.NOT_INCLUDED, kh.check("[127.0.0.1]:22222", KEY_A));
        assertEquals(HostKeyRepository.NOT_INCLUDED, kh.check("127.0.0.1", KEY_A));
    }

    @Test
    void aDifferentKeyOfTheSameTypeIsChanged() {
        OpenSshKnownHosts kh = file(line("dr1,dr1.example.com", KEY_A));
        assertEquals(HostKeyRepository.CHANGED, kh.check("dr1.example.com", KEY_B));
        assertTrue(kh.refusal().contains("CHANGED") && kh.refusal().contains("line 1"), kh.refusal());
    }

    @Test
    void onlyAKeyOfAnotherTypeIsNotIncludedAndSaysSo() {
        OpenSshKnownHosts kh = file(line("dr1", RSA));
        assertEquals(HostKeyRepository.NOT_INCLUDED, kh.check("dr1", KEY_A));
        assertTrue(kh.refusal().contains("another type"), kh.refusal());
    }

    @Test
    void hashedEntriesMatchTheirNameAndNothingElse() throws Exception {
        byte[] salt = new byte[20];
        salt[0] = 7;
        OpenSshKnownHosts kh = file(line(hashed("[127.0.0.1]:22221", salt), KEY_A));
        assertEquals(HostKeyRepository.OK, kh.check("[127.0.0.1]:22221", KEY_A));
        assertEquals(HostKeyRepository.NOT_INCLUDED, kh.check("127.0.0.1", KEY_A));
        assertEquals(HostKeyRepository.CHANGED, kh.check("[127.0.0.1]:22221", KEY_B));
    }

    @Test
    void patternsWildcardsNegationAndCase() {
        assertTrue(OpenSshKnownHosts.matches("*.example.com", "dr1.example.com"));
        assertTrue(OpenSshKnownHosts.matches("dr?.example.com", "DR2.Example.com"));
        assertFalse(OpenSshKnownHosts.matches("dr?.example.com", "dr10.example.com"));
        assertFalse(OpenSshKnownHosts.matches("*.example.com,!dr9.example.com", "dr9.example.com"));
        assertTrue(OpenSshKnownHosts.matches("[dr1]:2222,dr1", "[dr1]:2222"));
        assertFalse(OpenSshKnownHosts.matches("dr1", "dr10"));
        assertTrue(OpenSshKnownHosts.matches("*", "[10.0.0.1]:22221"));
    }

    @Test
    void aRevokedKeyIsRefusedEvenWhenAnotherLineListsIt() {
        OpenSshKnownHosts kh = file(line("[127.0.0.1]:22221", KEY_A), "@revoked " + line("*", KEY_A));
        assertEquals(HostKeyRepository.NOT_INCLUDED, kh.check("[127.0.0.1]:22221", KEY_A));
        assertTrue(kh.refusal().contains("@revoked") && kh.refusal().contains("line 2"), kh.refusal());
        // another key of the same host is unaffected
        assertEquals(HostKeyRepository.CHANGED, kh.check("[127.0.0.1]:22221", KEY_B));
    }

    @Test
    void aCertAuthorityLineIsRefusedExplicitlyAndIsNotTakenForAHostKey() {
        OpenSshKnownHosts kh = file("@cert-authority " + line("*.example.com", KEY_A));
        // the CA's own key presented as a host key is not accepted either
        assertEquals(HostKeyRepository.NOT_INCLUDED, kh.check("dr1.example.com", KEY_A));
        assertTrue(kh.refusal().contains("@cert-authority") && kh.refusal().contains("host certificates"), kh.refusal());
        assertEquals(HostKeyRepository.NOT_INCLUDED, kh.check("dr1.example.com", KEY_B));
        assertTrue(kh.refusal().contains("@cert-authority"), kh.refusal());
    }

    @Test
    void commentsBlankAndMalformedLinesAreSkippedAndLineNumbersStayTrue() {
        OpenSshKnownHosts kh = file("# comment", "", "garbage", line("dr1", KEY_A));
        assertEquals(HostKeyRepository.CHANGED, kh.check("dr1", KEY_B));
        assertTrue(kh.refusal().contains("line 4"), kh.refusal());
    }

    @Test
    void itNeverWritesTheFile() {
        OpenSshKnownHosts kh = file(line("dr1", KEY_A));
        assertThrows(UnsupportedOperationException.class, () -> kh.remove("dr1", "ssh-ed25519"));
        assertEquals(1, kh.getHostKey("dr1", null).length);
        assertEquals(0, kh.getHostKey("[dr1]:2222", null).length, "no fallback to the port-22 entry");
    }
}
