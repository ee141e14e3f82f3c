package org.zmsnap.restore.target.imap;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import org.zmsnap.config.RestoreConfig;

/**
 * The few IMAP4rev1 commands a restore needs: STARTTLS, AUTHENTICATE PLAIN with an authorization identity
 * (an admin acting for the account, as Zimbra and Dovecot master users allow), LIST, CREATE, EXAMINE, FETCH
 * of what identifies existing messages, and APPEND with flags and internal date — batched with MULTIAPPEND
 * where the server offers it, because one commit per message is what makes a whole-mailbox restore slow.
 */
public final class ImapClient implements AutoCloseable {
    private static final DateTimeFormatter DATE_OUT = DateTimeFormatter.ofPattern("dd-MMM-yyyy HH:mm:ss Z", Locale.ENGLISH);
    private static final DateTimeFormatter DATE_IN = DateTimeFormatter.ofPattern("d-MMM-yyyy HH:mm:ss Z", Locale.ENGLISH);
    private static final Pattern LITERAL_AT_END = Pattern.compile("\\{(\\d+)\\+?\\}$");
    private static final Pattern SIZE = Pattern.compile("RFC822\\.SIZE (\\d+)", Pattern.CASE_INSENSITIVE);
    private static final Pattern INTERNALDATE = Pattern.compile("INTERNALDATE \"([^\"]+)\"", Pattern.CASE_INSENSITIVE);
    private static final Pattern LIST = Pattern.compile("^\\* LIST \\(([^)]*)\\) (NIL|\"(\\\\.|[^\"])*\") (.*)$", Pattern.CASE_INSENSITIVE);
    private static final Pattern MESSAGE_ID = Pattern.compile("(?im)^Message-ID:[ \\t]*(.*(?:\\r?\\n[ \\t].*)*)");
    private static final byte[] CRLF = {'\r', '\n'};

    /** One reply: its text with each literal shown as {n}, and the literals' bytes. */
    private record Response(String text, List<byte[]> literals) {
        String tag() {
            int sp = text.indexOf(' ');
            return sp < 0 ? text : text.substring(0, sp);
        }

        String status() {
            String[] w = text.split(" ", 3);
            return w.length > 1 ? w[1].toUpperCase(Locale.ROOT) : "";
        }
    }

    private Socket socket;
    private InputStream in;
    private OutputStream out;
    private int nextTag = 1;
    private Set<String> capabilities;

    private ImapClient(Socket socket) throws IOException {
        attach(socket);
    }

    private void attach(Socket s) throws IOException {
        this.socket = s;
        this.in = new BufferedInputStream(s.getInputStream(), 65536);
        this.out = new BufferedOutputStream(s.getOutputStream(), 65536);
    }

    /**
     * Connects and reads the greeting. With TLS ({@code STARTTLS} or {@code IMPLICIT}, port 993) the server's
     * certificate must chain to a trusted CA — the JDK's, or only those in {@code caFile} (PEM) when given, for
     * Zimbra's usual self-signed certificate — and name {@code host} (DNS name or IP address in its subject
     * alternative names): the admin's password goes over this connection.
     */
    public static ImapClient connect(String host, int port, RestoreConfig.Tls tls, Optional<Path> caFile, Duration timeout) {
        Socket s = new Socket();
        try {
            SSLSocketFactory factory = tls == RestoreConfig.Tls.NONE ? null : tlsFactory(caFile);
            s.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
            s.setSoTimeout((int) timeout.toMillis());
            ImapClient c;
            if (tls == RestoreConfig.Tls.IMPLICIT) {
                c = new ImapClient(handshake(factory, s, host, port));
            } else {
                c = new ImapClient(s);
            }
            Response hello = c.read();
            if (!hello.text().startsWith("* OK") && !hello.text().startsWith("* PREAUTH")) {
                throw new ImapException("IMAP " + host + ":" + port + " did not greet: " + hello.text());
            }
            if (tls == RestoreConfig.Tls.STARTTLS) {
                c.command("STARTTLS");
                c.attach(handshake(factory, s, host, port));
            }
            return c;
        } catch (SSLException e) {
            closeQuietly(s);
            throw new ImapException("cannot connect to IMAP " + host + ":" + port + ": the server's TLS certificate was refused ("
                    + e.getMessage() + "). It must name " + host + " and be signed by a trusted CA: set restore.imap.host to"
                    + " the name in the certificate, and restore.imap.ca-file to the CA (or self-signed certificate) in PEM", e);
        } catch (IOException | GeneralSecurityException e) {
            closeQuietly(s);
            throw new ImapException("cannot connect to IMAP " + host + ":" + port + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(s);
            throw e;
        }
    }

    /** The TLS layer over {@code s}, with the host name checked as HTTPS clients check it (RFC 2818/6125). */
    private static SSLSocket handshake(SSLSocketFactory factory, Socket s, String host, int port) throws IOException {
        SSLSocket tls = (SSLSocket) factory.createSocket(s, host, port, true);
        SSLParameters p = tls.getSSLParameters();
        p.setEndpointIdentificationAlgorithm("HTTPS");
        tls.setSSLParameters(p);
        tls.startHandshake();
        return tls;
    }

    /** The JDK's trusted CAs, or exactly the certificates in {@code caFile}. */
    private static SSLSocketFactory tlsFactory(Optional<Path> caFile) throws IOException, GeneralSecurityException {
        if (caFile.isEmpty()) {
            return (SSLSocketFactory) SSLSocketFactory.getDefault();
        }
        KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
        trusted.load(null, null);
        try (InputStream in = Files.newInputStream(caFile.get())) {
            int i = 0;
            for (Certificate cert : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                trusted.setCertificateEntry("ca-" + i++, cert);
            }
            if (i == 0) {
                throw new GeneralSecurityException(caFile.get() + " holds no PEM certificate");
            }
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trusted);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx.getSocketFactory();
    }

    /** SASL PLAIN (RFC 4616): act as {@code authorizationId}, authenticated as {@code admin}. */
    public void authenticatePlain(String authorizationId, String admin, String password) {
        String tag = tag();
        byte[] response = (authorizationId + '\0' + admin + '\0' + password).getBytes(StandardCharsets.UTF_8);
        try {
            send((tag + " AUTHENTICATE PLAIN").getBytes(StandardCharsets.US_ASCII));
            send(CRLF);
            out.flush();
            Response r = read();
            if (!r.text().startsWith("+")) {
                throw new ImapException("the IMAP server refused AUTHENTICATE PLAIN: " + r.text());
            }
            send(Base64.getEncoder().encode(response));
            send(CRLF);
            out.flush();
            finish(tag, "login of " + admin + " on behalf of " + authorizationId, new ArrayList<>());
        } catch (IOException e) {
            throw new ImapException("IMAP login failed: " + e.getMessage(), e);
        }
    }

    /** The hierarchy delimiter ({@code LIST "" ""}); "/" when the server has none. */
    public String delimiter() {
        for (Response r : command("LIST \"\" \"\"")) {
            Matcher m = LIST.matcher(r.text());
            if (m.matches() && !m.group(2).equalsIgnoreCase("NIL")) {
                return m.group(2).substring(1, m.group(2).length() - 1).replace("\\\\", "\\").replace("\\\"", "\"");
            }
        }
        return "/";
    }

    /** Every mailbox name, decoded. */
    public List<String> list() {
        List<String> out = new ArrayList<>();
        for (Response r : command("LIST \"\" \"*\"")) {
            Matcher m = LIST.matcher(r.text());
            if (m.matches()) {
                String name = m.group(4);
                if (name.matches("\\{\\d+\\}") && !r.literals().isEmpty()) {
                    name = new String(r.literals().get(0), StandardCharsets.UTF_8);
                } else if (name.startsWith("\"")) {
                    name = name.substring(1, name.length() - 1).replace("\\\\", "\\").replace("\\\"", "\"");
                }
                out.add(ModifiedUtf7.decode(name));
            }
        }
        return out;
    }

    public void create(String mailbox) {
        command("CREATE " + quote(ModifiedUtf7.encode(mailbox)));
    }

    /** Opens read-only and returns what identifies each message in it. */
    public List<ExistingMessage> existing(String mailbox) {
        long exists = 0;
        for (Response r : command("EXAMINE " + quote(ModifiedUtf7.encode(mailbox)))) {
            String[] w = r.text().split(" ");
            if (w.length >= 3 && w[2].equalsIgnoreCase("EXISTS")) {
                exists = Long.parseLong(w[1]);
            }
        }
        List<ExistingMessage> out = new ArrayList<>();
        if (exists == 0) {
            return out;
        }
        for (Response r : command("FETCH 1:* (RFC822.SIZE INTERNALDATE BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")) {
            Matcher size = SIZE.matcher(r.text());
            Matcher date = INTERNALDATE.matcher(r.text());
            if (!r.text().contains(" FETCH ") || !size.find() || !date.find()) {
                continue;
            }
            String header = r.literals().isEmpty() ? "" : new String(r.literals().get(0), StandardCharsets.ISO_8859_1);
            out.add(new ExistingMessage(messageId(header), Long.parseLong(size.group(1)),
                    ZonedDateTime.parse(date.group(1).strip(), DATE_IN).toEpochSecond()));
        }
        return out;
    }

    /** The Message-ID header's value, unfolded and trimmed; "" when there is none. */
    public static String messageId(String header) {
        Matcher m = MESSAGE_ID.matcher(header);
        return m.find() ? m.group(1).replaceAll("\\r?\\n[ \\t]+", " ").strip() : "";
    }

    /** One message to append: its bytes as stored, its flags and its received date. */
    public record Message(byte[] raw, Set<String> flags, Instant internalDate) {}

    /** What the server did with one message of {@link #appendAll}. */
    public sealed interface AppendOutcome {
        record Appended() implements AppendOutcome {}

        record Refused(String reason) implements AppendOutcome {}
    }

    /** Appends one message; a refusal is an {@link ImapException}. */
    public void append(String mailbox, byte[] raw, Set<String> flags, Instant internalDate) {
        AppendOutcome o = appendAll(mailbox, List.of(new Message(raw, flags, internalDate))).get(0);
        if (o instanceof AppendOutcome.Refused r) {
            throw new ImapException("APPEND to " + mailbox + " refused: " + r.reason());
        }
    }

    /**
     * Appends {@code messages} to one mailbox, in order. With MULTIAPPEND (RFC 3502) they go in one command,
     * which the server stores as one transaction: all or none, and one commit instead of one per message (on
     * Dovecot here, 4 to 8 times the rate of single APPENDs). A refused batch is retried one message at a
     * time, so each refusal is pinned to its message. Literals are always synchronising, never LITERAL+: a
     * server that rejects an APPEND part-way (Dovecot does on a bad flag) would read the rest of a
     * non-synchronising literal as commands, and message bytes must never be able to run as commands.
     * Connection failures are {@link ImapException}s: nothing is then known about the messages in flight,
     * and a rerun's duplicate check sorts them out.
     */
    public List<AppendOutcome> appendAll(String mailbox, List<Message> messages) {
        try {
            if (messages.size() > 1 && capabilities().contains("MULTIAPPEND")) {
                if (sendAppend(tag(), mailbox, messages).status().equals("OK")) {
                    return messages.stream().map(m -> (AppendOutcome) new AppendOutcome.Appended()).toList();
                }
            }
            List<AppendOutcome> outcomes = new ArrayList<>(messages.size());
            for (Message m : messages) {
                Response r = sendAppend(tag(), mailbox, List.of(m));
                outcomes.add(r.status().equals("OK") ? new AppendOutcome.Appended()
                        : new AppendOutcome.Refused(r.text().substring(r.tag().length()).strip()));
            }
            return outcomes;
        } catch (IOException e) {
            throw new ImapException("APPEND to " + mailbox + " failed: " + e.getMessage(), e);
        }
    }

    /** Sends one APPEND (several messages make it a MULTIAPPEND) and returns its tagged reply. */
    private Response sendAppend(String tag, String mailbox, List<Message> messages) throws IOException {
        send((tag + " APPEND " + quote(ModifiedUtf7.encode(mailbox))).getBytes(StandardCharsets.US_ASCII));
        for (Message m : messages) {
            StringBuilder head = new StringBuilder();
            if (!m.flags().isEmpty()) {
                head.append(" (").append(String.join(" ", m.flags())).append(')');
            }
            head.append(" \"").append(DATE_OUT.format(m.internalDate().atZone(ZoneOffset.UTC))).append('"');
            head.append(" {").append(m.raw().length).append('}');
            send(head.toString().getBytes(StandardCharsets.US_ASCII));
            send(CRLF);
            out.flush();
            // The server asks for each literal with "+" once it has parsed everything before it, or ends the
            // command with its tag instead.
            Response r = read();
            while (!r.text().startsWith("+")) {
                if (r.tag().equals(tag)) {
                    return r;
                }
                if (r.text().startsWith("* BYE")) {
                    throw new ImapException("APPEND to " + mailbox + ": the server closed the connection: " + r.text());
                }
                r = read();
            }
            send(m.raw());
        }
        send(CRLF);
        out.flush();
        return awaitTagged(tag, "APPEND to " + mailbox);
    }

    /** The server's capabilities after login, asked once. */
    public Set<String> capabilities() {
        if (capabilities == null) {
            Set<String> caps = new java.util.HashSet<>();
            for (Response r : command("CAPABILITY")) {
                if (r.text().toUpperCase(Locale.ROOT).startsWith("* CAPABILITY ")) {
                    for (String c : r.text().substring("* CAPABILITY ".length()).split(" ")) {
                        caps.add(c.toUpperCase(Locale.ROOT));
                    }
                }
            }
            capabilities = Set.copyOf(caps);
        }
        return capabilities;
    }

    public void logout() {
        try {
            command("LOGOUT");
        } catch (ImapException e) {
            // the server may close first
        }
    }

    @Override
    public void close() {
        closeQuietly(socket);
    }

    private List<Response> command(String text) {
        String tag = tag();
        List<Response> untagged = new ArrayList<>();
        try {
            send((tag + " " + text).getBytes(StandardCharsets.US_ASCII));
            send(CRLF);
            out.flush();
            finish(tag, text.split(" ")[0], untagged);
        } catch (IOException e) {
            throw new ImapException("IMAP " + text.split(" ")[0] + " failed: " + e.getMessage(), e);
        }
        return untagged;
    }

    private void finish(String tag, String what, List<Response> untagged) throws IOException {
        while (true) {
            Response r = read();
            if (r.tag().equals(tag)) {
                if (!r.status().equals("OK")) {
                    throw new ImapException(what + ": " + r.text().substring(tag.length()).strip());
                }
                return;
            }
            if (r.text().startsWith("* BYE") && !what.equals("LOGOUT")) {
                throw new ImapException(what + ": the server closed the connection: " + r.text());
            }
            untagged.add(r);
        }
    }

    /** Reads up to the reply tagged {@code tag} and returns it, whatever its status. */
    private Response awaitTagged(String tag, String what) throws IOException {
        while (true) {
            Response r = read();
            if (r.tag().equals(tag)) {
                return r;
            }
            if (r.text().startsWith("* BYE")) {
                throw new ImapException(what + ": the server closed the connection: " + r.text());
            }
        }
    }

    /** A reply with its literals: a line ending in {n} is followed by n bytes, then the rest of the reply. */
    private Response read() throws IOException {
        StringBuilder text = new StringBuilder();
        List<byte[]> literals = new ArrayList<>();
        while (true) {
            String line = new String(readLine(), StandardCharsets.UTF_8);
            text.append(line);
            Matcher m = LITERAL_AT_END.matcher(line);
            if (!m.find()) {
                return new Response(text.toString(), literals);
            }
            int n = Integer.parseInt(m.group(1));
            byte[] literal = in.readNBytes(n);
            if (literal.length != n) {
                throw new EOFException("connection closed inside a " + n + "-byte literal");
            }
            literals.add(literal);
        }
    }

    private byte[] readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(128);
        int prev = -1;
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("the IMAP server closed the connection");
            }
            if (prev == '\r' && b == '\n') {
                byte[] bytes = line.toByteArray();
                return java.util.Arrays.copyOf(bytes, bytes.length - 1);
            }
            line.write(b);
            prev = b;
        }
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private String tag() {
        return "r" + nextTag++;
    }

    private void send(byte[] bytes) throws IOException {
        out.write(bytes);
    }

    private static void closeQuietly(Socket s) {
        try {
            if (s != null) {
                s.close();
            }
        } catch (IOException ignored) {
            // closing
        }
    }
}
