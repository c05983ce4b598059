// Reference side of the safir-text harnesses, on Lucene's Arabic analysis.
//   chain      words on stdin -> ArabicStemmer(ArabicNormalizer(word)), one per line
//   normalize  words on stdin -> ArabicNormalizer(word), one per line
//   bench FILE ArabicAnalyzer throughput over the lines of FILE (JVM warmed up),
//              MB/s per core = UTF-8 bytes / thread CPU time, best of 5
import java.io.*;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.*;
import java.util.List;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.ar.ArabicAnalyzer;
import org.apache.lucene.analysis.ar.ArabicNormalizer;
import org.apache.lucene.analysis.ar.ArabicStemmer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;

public class LuceneRef {
  public static void main(String[] args) throws Exception {
    switch (args[0]) {
      case "chain": perWord(true); break;
      case "normalize": perWord(false); break;
      case "bench": bench(Paths.get(args[1])); break;
      default: throw new IllegalArgumentException(args[0]);
    }
  }

  static void perWord(boolean stem) throws IOException {
    ArabicNormalizer normalizer = new ArabicNormalizer();
    ArabicStemmer stemmer = new ArabicStemmer();
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    Writer out = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), 1 << 16);
    String line;
    while ((line = in.readLine()) != null) {
      char[] s = line.toCharArray();
      int len = normalizer.normalize(s, s.length);
      if (stem) len = stemmer.stem(s, len);
      out.write(s, 0, len);
      out.write('\n');
    }
    out.flush();
  }

  static void bench(Path corpus) throws IOException {
    List<String> lines = Files.readAllLines(corpus, StandardCharsets.UTF_8);
    double mb = Files.size(corpus) / 1e6;
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    try (ArabicAnalyzer analyzer = new ArabicAnalyzer()) {
      for (int i = 0; i < 3; i++) pass(analyzer, lines); // warm-up
      double best = Double.MAX_VALUE;
      long terms = 0;
      for (int i = 0; i < 5; i++) {
        long t = cpu.getCurrentThreadCpuTime();
        terms = pass(analyzer, lines);
        best = Math.min(best, (cpu.getCurrentThreadCpuTime() - t) / 1e9);
      }
      System.out.printf("lucene ArabicAnalyzer    %8.1f MB/s  (%d terms)%n", mb / best, terms);
    }
  }

  static long pass(ArabicAnalyzer analyzer, List<String> lines) throws IOException {
    long terms = 0;
    for (String line : lines) {
      try (TokenStream ts = analyzer.tokenStream("f", line)) {
        CharTermAttribute term = ts.addAttribute(CharTermAttribute.class);
        ts.reset();
        while (ts.incrementToken()) {
          terms += term.length() > 0 ? 1 : 0;
        }
        ts.end();
      }
    }
    return terms;
  }
}
