// "heap": arrays kept alive until the heap is full (bounded at 64 GB).
// "direct": direct buffers, memory outside the heap, touched page by page (bounded at 64 GB).
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Scanner;

public class MemBomb {
    public static void main(String[] args) {
        String mode = new Scanner(System.in).next();
        ArrayList<Object> kept = new ArrayList<>();
        for (int i = 0; i < 4096; i++) {
            if (mode.equals("heap")) {
                kept.add(new long[2 << 20]);  // 16 MB each
            } else {
                ByteBuffer buffer = ByteBuffer.allocateDirect(16 << 20);
                for (int at = 0; at < buffer.capacity(); at += 4096) buffer.put(at, (byte) 1);
                kept.add(buffer);
            }
        }
        System.out.println(kept.size());
    }
}
