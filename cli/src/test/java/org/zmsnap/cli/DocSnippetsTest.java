package org.zmsnap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class DocSnippetsTest {
    static final Path GUIDE = Path.of(System.getProperty("zmsnap.project.root", "..")).resolve("docs/install-dr.md");

    @Test
    void blocksCarryTheirMarkersActionAndText() {
        List<DocSnippets.Block> blocks = DocSnippets.parse("""
                # Guide
                <!-- test: common-1 on=dr run -->
                ```sh
                zmsnap --version
                ```
                text
                <!-- test: push-2 on=mbox append=/etc/zmsnap/zmsnap.yaml -->

                ```yaml
                targets:
                  dr1: {}
                ```
                <!-- test: pull-3 on=dr skip: packages are there -->
                ```
                apt-get install x
                ```
                """);
        assertEquals(3, blocks.size());
        assertEquals("common-1", blocks.get(0).id());
        assertEquals("dr", blocks.get(0).host());
        assertInstanceOf(DocSnippets.Action.Run.class, blocks.get(0).action());
        assertEquals("zmsnap --version\n", blocks.get(0).text());
        assertEquals(new DocSnippets.Action.Append("/etc/zmsnap/zmsnap.yaml"), blocks.get(1).action());
        assertEquals("targets:\n  dr1: {}\n", blocks.get(1).text());
        assertEquals("push", blocks.get(1).mode());
        assertEquals(new DocSnippets.Action.Skip("packages are there"), blocks.get(2).action());
        assertEquals(2, blocks.get(0).line());
    }

    @Test
    void aFenceWithoutMarkerOrAMarkerWithoutFenceOrATwiceUsedIdIsRefused() {
        IllegalArgumentException unmarked = assertThrows(IllegalArgumentException.class,
                () -> DocSnippets.parse("text\n```sh\nrm -rf x\n```\n"));
        assertTrue(unmarked.getMessage().contains("line 2") && unmarked.getMessage().contains("without"), unmarked.getMessage());
        assertThrows(IllegalArgumentException.class, () -> DocSnippets.parse("<!-- test: push-1 on=dr run -->\nprose\n```\nx\n```\n"));
        assertThrows(IllegalArgumentException.class, () -> DocSnippets.parse("<!-- test: push-1 on=dr run -->\n"));
        assertThrows(IllegalArgumentException.class, () -> DocSnippets.parse("<!-- test: push-1 on=elsewhere run -->\n```\nx\n```\n"));
        assertThrows(IllegalArgumentException.class, () -> DocSnippets.parse("<!-- test: other-1 on=dr run -->\n```\nx\n```\n"));
        assertThrows(IllegalArgumentException.class, () -> DocSnippets.parse("<!-- test: push-1 on=dr run -->\n```\nx\n"));
        assertThrows(IllegalArgumentException.class, () -> DocSnippets.parse(
                "<!-- test: push-1 on=dr run -->\n```\nx\n```\n<!-- test: push-1 on=dr run -->\n```\ny\n```\n"));
    }

    @Test
    void commandsAreSplitWithoutAShellAndOnlyATrailingRedirectIsUnderstood() {
        List<DocSnippets.Command> cmds = DocSnippets.commands("""
                # a comment
                ssh-keygen -t ed25519 -N '' -f /etc/zmsnap/id_ed25519

                ssh-keyscan -p 2222 dr1.example.com >> /etc/zmsnap/known_hosts
                zmsnap snapshot --policy hourly > out.json
                """);
        assertEquals(3, cmds.size());
        assertEquals(List.of("ssh-keygen", "-t", "ed25519", "-N", "", "-f", "/etc/zmsnap/id_ed25519"), cmds.get(0).argv());
        assertEquals(Optional.empty(), cmds.get(0).stdout());
        assertEquals(List.of("ssh-keyscan", "-p", "2222", "dr1.example.com"), cmds.get(1).argv());
        assertEquals(Optional.of(new DocSnippets.Redirect("/etc/zmsnap/known_hosts", true)), cmds.get(1).stdout());
        assertEquals(Optional.of(new DocSnippets.Redirect("out.json", false)), cmds.get(2).stdout());
        for (String shell : List.of("zfs list | grep x", "a && b", "echo $HOME", "ls *.yaml", "a; b")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DocSnippets.commands(shell), shell);
            assertTrue(e.getMessage().contains("without a shell"), e.getMessage());
        }
    }

    @Test
    void substitutionReplacesWholeWordsOnceAndTheLongestExampleFirst() {
        var values = DocSnippets.map("backup", "zdr9", "tank", "zmb9", "2222", "40123", "/etc/zmsnap", "/tmp/x/etc",
                "ssh-ed25519 AAAA... zmsnap@dr1", "ssh-ed25519 AAAAC3real zmsnap@dr1", "dr1.example.com", "127.0.0.1");
        assertEquals("root: zdr9/mbox1 port: 40123 [zmb9/zimbra/db, zmb9/zimbra/store] backups tanker 22220",
                DocSnippets.substitute("root: backup/mbox1 port: 2222 [tank/zimbra/db, tank/zimbra/store] backups tanker 22220", values));
        assertEquals("-f /tmp/x/etc/id_ed25519 127.0.0.1",
                DocSnippets.substitute("-f /etc/zmsnap/id_ed25519 dr1.example.com", values));
        assertEquals("restrict ssh-ed25519 AAAAC3real zmsnap@dr1\n",
                DocSnippets.substitute("restrict ssh-ed25519 AAAA... zmsnap@dr1\n", values));
        // one pass: a value that contains another example is not replaced again
        assertEquals("/data/tank", DocSnippets.substitute("backup", DocSnippets.map("backup", "/data/tank", "tank", "zzz")));
    }

    @Test
    void theDrGuideParsesAndEveryCommandInItIsPlain() throws Exception {
        List<DocSnippets.Block> blocks = DocSnippets.parse(Files.readString(GUIDE));
        Set<String> modes = blocks.stream().map(DocSnippets.Block::mode).collect(Collectors.toSet());
        assertEquals(Set.of("common", "push", "pull"), modes);
        for (DocSnippets.Block b : blocks) {
            if (b.action() instanceof DocSnippets.Action.Run) {
                assertFalse(DocSnippets.commands(b.text()).isEmpty(), b.id() + " runs nothing");
            }
        }
        for (String mode : List.of("push", "pull")) {
            List<String> run = blocks.stream().filter(b -> b.mode().equals(mode) && b.action() instanceof DocSnippets.Action.Run)
                    .flatMap(b -> DocSnippets.commands(b.text()).stream()).map(c -> String.join(" ", c.argv())).toList();
            assertTrue(run.stream().anyMatch(c -> c.startsWith("ssh-keygen -t ed25519 -N  ")), mode + ": " + run);
            assertTrue(run.stream().anyMatch(c -> c.startsWith("ssh-keyscan -p 2222 ")), mode + ": " + run);
            assertTrue(run.stream().anyMatch(c -> c.startsWith("zmsnap verify ") && c.contains("--source mbox1")), mode + ": " + run);
            assertTrue(run.stream().anyMatch(c -> c.startsWith("zmsnap sources ")), mode + ": " + run);
        }
    }
}
