package org.zmsnap.zimbra;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads {@code mail_item.metadata}: Zimbra's bencoded map ({@code d<key><value>...e}, strings {@code <len>:<text>},
 * integers {@code i<n>e}, lists {@code l...e}). Contact fields are the map under {@code fld}.
 *
 * <p>Zimbra's own encoder counts a string's length in Java chars, while other writers (and bencoding proper)
 * count UTF-8 bytes; the two only differ for non-ASCII text. The decoder takes whichever reading lets the
 * rest of the text parse, so rows from either writer decode.
 */
public final class Metadata {
    private final String text;
    private final byte[] utf8;
    /** char index → byte offset in utf8, for the byte-length reading. */
    private final int[] byteAt;

    private Metadata(String text) {
        this.text = text;
        this.utf8 = text.getBytes(StandardCharsets.UTF_8);
        this.byteAt = new int[text.length() + 1];
        int b = 0;
        for (int i = 0; i < text.length(); i++) {
            byteAt[i] = b;
            char ch = text.charAt(i);
            if (Character.isHighSurrogate(ch) && i + 1 < text.length()) {
                byteAt[++i] = b; // the pair is one 4-byte sequence; its low half starts nowhere
                b += 4;
            } else {
                b += ch < 0x80 ? 1 : ch < 0x800 ? 2 : 3;
            }
        }
        byteAt[text.length()] = b;
    }

    /** The top-level map; empty when the text is null, blank or not a bencoded map. */
    public static Map<String, Object> decode(String text) {
        if (text == null || text.isBlank() || text.charAt(0) != 'd') {
            return Map.of();
        }
        Metadata m = new Metadata(text);
        for (Parsed p : m.all(0)) {
            if (p.value() instanceof Map<?, ?> map && p.end() == text.length()) {
                @SuppressWarnings("unchecked")
                Map<String, Object> result = (Map<String, Object>) map;
                return result;
            }
        }
        return Map.of();
    }

    /** A contact's fields (firstName, lastName, email, workPhone, company, ...): the string values under fld. */
    public static Map<String, String> contactFields(String text) {
        Object fld = decode(text).get("fld");
        Map<String, String> out = new LinkedHashMap<>();
        if (fld instanceof Map<?, ?> m) {
            m.forEach((k, v) -> {
                if (v instanceof String || v instanceof Long) {
                    out.put(String.valueOf(k), String.valueOf(v));
                }
            });
        }
        return out;
    }

    private record Parsed(Object value, int end) {}

    /** Bounds the alternatives kept per structure: a well-formed row has one, a damaged one is given up on. */
    private static final int ALTERNATIVES = 16;

    /**
     * Every complete reading of the value starting at char index {@code i} (a non-ASCII string has two:
     * char count and byte count); empty when nothing parses from there.
     */
    private List<Parsed> all(int i) {
        if (i >= text.length()) {
            return List.of();
        }
        char c = text.charAt(i);
        if (c == 'i') {
            int e = text.indexOf('e', i);
            try {
                return e < 0 ? List.of() : List.of(new Parsed(Long.parseLong(text.substring(i + 1, e)), e + 1));
            } catch (NumberFormatException ex) {
                return List.of();
            }
        }
        if (c == 'l' || c == 'd') {
            return sequence(i + 1, c == 'd', List.of(), 0);
        }
        if (c >= '0' && c <= '9') {
            int colon = text.indexOf(':', i);
            List<Parsed> out = new ArrayList<>(2);
            for (int end : stringEnds(i)) {
                out.add(new Parsed(text.substring(colon + 1, end), end));
            }
            return out;
        }
        return List.of();
    }

    /** The items of a list or dict (keys and values alternating) from {@code j} to its 'e', in every reading. */
    private List<Parsed> sequence(int j, boolean dict, List<Object> items, int depth) {
        if (j >= text.length() || depth > 10_000) {
            return List.of();
        }
        if (text.charAt(j) == 'e') {
            if (!dict) {
                return List.of(new Parsed(List.copyOf(items), j + 1));
            }
            if (items.size() % 2 != 0) {
                return List.of();
            }
            Map<String, Object> map = new LinkedHashMap<>();
            for (int k = 0; k < items.size(); k += 2) {
                map.put((String) items.get(k), items.get(k + 1));
            }
            return List.of(new Parsed(map, j + 1));
        }
        boolean key = dict && items.size() % 2 == 0;
        List<Parsed> out = new ArrayList<>();
        for (Parsed v : all(j)) {
            if (key && !(v.value() instanceof String)) {
                continue;
            }
            List<Object> next = new ArrayList<>(items);
            next.add(v.value());
            out.addAll(sequence(v.end(), dict, next, depth + 1));
            if (out.size() >= ALTERNATIVES) {
                break;
            }
        }
        return out;
    }

    /** Where a string starting at {@code i} ends, read as a char count and as a UTF-8 byte count (distinct, valid). */
    private List<Integer> stringEnds(int i) {
        int colon = text.indexOf(':', i);
        if (colon < 0) {
            return List.of();
        }
        long len;
        try {
            len = Long.parseLong(text.substring(i, colon));
        } catch (NumberFormatException e) {
            return List.of();
        }
        List<Integer> ends = new ArrayList<>(2);
        int start = colon + 1;
        if (start + len <= text.length()) {
            ends.add((int) (start + len));
        }
        long targetByte = byteAt[start] + len;
        if (targetByte <= utf8.length) {
            // the char index whose byte offset is targetByte, if the count ends on a character boundary
            int lo = start;
            int hi = text.length();
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (byteAt[mid] < targetByte) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            if (byteAt[lo] == targetByte && !ends.contains(lo) && !(lo > 0 && lo < text.length() && Character.isLowSurrogate(text.charAt(lo)))) {
                ends.add(lo);
            }
        }
        return ends;
    }
}
