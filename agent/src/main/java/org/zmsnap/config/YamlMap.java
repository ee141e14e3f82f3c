package org.zmsnap.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Strict reading of one YAML mapping: every key must be read by the schema, or {@link #finish()}
 * reports it as unknown with the closest valid key. Errors carry the key's path and line.
 */
final class YamlMap {
    private final String path;
    private final Map<String, Node> entries = new LinkedHashMap<>();
    private final Map<String, Integer> lines = new LinkedHashMap<>();
    private final Set<String> known = new LinkedHashSet<>();

    private YamlMap(String path, MappingNode node) {
        this.path = path;
        for (NodeTuple t : node.getValue()) {
            if (!(t.getKeyNode() instanceof ScalarNode key)) {
                throw new ConfigException(path, "keys must be plain names (line " + line(t.getKeyNode()) + ")");
            }
            if (entries.containsKey(key.getValue())) {
                throw new ConfigException(child(key.getValue()), "given twice (line " + line(key) + ")");
            }
            entries.put(key.getValue(), t.getValueNode());
            lines.put(key.getValue(), line(key));
        }
    }

    static YamlMap of(String path, Node node) {
        if (!(node instanceof MappingNode m)) {
            throw new ConfigException(path, "must be a mapping of keys to values (line " + line(node) + ")");
        }
        return new YamlMap(path, m);
    }

    String child(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    Set<String> keys() {
        return entries.keySet();
    }

    Optional<String> string(String key) {
        known.add(key);
        Node n = entries.get(key);
        if (n == null || isNull(n)) {
            return Optional.empty();
        }
        if (!(n instanceof ScalarNode s)) {
            throw new ConfigException(child(key), "must be a single value, not a list or mapping (line " + line(n) + ")");
        }
        return Optional.of(s.getValue());
    }

    String requireString(String key) {
        return string(key).orElseThrow(() -> new ConfigException(child(key), "is required"));
    }

    <T> Optional<T> parsed(String key, String expected, Function<String, T> parser) {
        return string(key).map(v -> {
            try {
                return parser.apply(v);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(child(key), "'" + v + "' is not " + expected
                        + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")") + " (line " + lines.get(key) + ")");
            }
        });
    }

    Optional<Boolean> bool(String key) {
        return parsed(key, "true or false", v -> switch (v) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw new IllegalArgumentException((String) null);
        });
    }

    Optional<Integer> integer(String key, int min, int max) {
        return parsed(key, "a whole number from " + min + " to " + max, v -> {
            int i = Integer.parseInt(v.strip());
            if (i < min || i > max) {
                throw new IllegalArgumentException("out of range");
            }
            return i;
        });
    }

    /** A schedule key, in the Quartz form whichever form was written ({@link Cron}: the one rule). */
    Optional<String> cron(String key) {
        return parsed(key, "a cron expression", Cron::toQuartz);
    }

    Optional<Duration> duration(String key) {
        return parsed(key, "a duration such as 500ms, 2s, 5m, 1h", Durations::parse);
    }

    <E extends Enum<E> & ConfigName> Optional<E> choice(String key, Class<E> type) {
        E[] all = type.getEnumConstants();
        return string(key).map(v -> {
            for (E e : all) {
                if (e.configName().equals(v)) {
                    return e;
                }
            }
            List<String> allowed = java.util.Arrays.stream(all).map(ConfigName::configName).toList();
            throw new ConfigException(child(key), "'" + v + "' is not one of " + String.join(" | ", allowed)
                    + closest(v, allowed).map(c -> " (did you mean '" + c + "'?)").orElse("")
                    + " (line " + lines.get(key) + ")");
        });
    }

    List<String> stringList(String key) {
        known.add(key);
        Node n = entries.get(key);
        if (n == null || isNull(n)) {
            return List.of();
        }
        if (!(n instanceof SequenceNode seq)) {
            throw new ConfigException(child(key), "must be a list (line " + line(n) + ")");
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < seq.getValue().size(); i++) {
            Node item = seq.getValue().get(i);
            if (!(item instanceof ScalarNode s)) {
                throw new ConfigException(child(key) + "[" + i + "]", "must be a single value (line " + line(item) + ")");
            }
            out.add(s.getValue());
        }
        return out;
    }

    Optional<YamlMap> map(String key) {
        known.add(key);
        Node n = entries.get(key);
        if (n == null || isNull(n)) {
            return Optional.empty();
        }
        return Optional.of(of(child(key), n));
    }

    /** Fails on the first key the schema did not read, suggesting the closest known key. */
    void finish() {
        for (String key : entries.keySet()) {
            if (!known.contains(key)) {
                throw new ConfigException(child(key), "unknown key (line " + lines.get(key) + ")"
                        + closest(key, known).map(c -> "; did you mean '" + c + "'?").orElse("")
                        + (known.isEmpty() ? "" : " Valid keys here: " + String.join(", ", known) + "."));
            }
        }
    }

    private static boolean isNull(Node n) {
        return n instanceof ScalarNode s && n.getTag().getValue().endsWith(":null");
    }

    private static int line(Node n) {
        return n.getStartMark() == null ? 0 : n.getStartMark().getLine() + 1;
    }

    /** The closest candidate by edit distance, if it is close enough to be a likely typo. */
    static Optional<String> closest(String word, java.util.Collection<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String c : candidates) {
            int d = org.zmsnap.text.EditDistance.between(word.toLowerCase(java.util.Locale.ROOT), c.toLowerCase(java.util.Locale.ROOT));
            if (d < bestDistance) {
                bestDistance = d;
                best = c;
            }
        }
        return best != null && bestDistance <= Math.max(2, word.length() / 3) ? Optional.of(best) : Optional.empty();
    }
}
